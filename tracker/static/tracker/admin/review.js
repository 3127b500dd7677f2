// Keyboard shortcuts of the flag review screen: j/k next/previous flag, c claim,
// a accept, d dismiss (focuses the reason). Every shortcut is a plain link or
// button on the page too, so the screen works without this file.
"use strict";

(function () {
  var follow = function (link) {
    window.location.assign(link.href);
  };
  var click = function (button) {
    button.click();
  };
  var focus = function (field) {
    field.focus();
  };
  // key: [the id of the page's own link, button or field, what the key does with it]
  var SHORTCUTS = {
    j: ["next-flag", follow],
    k: ["previous-flag", follow],
    a: ["accept-link", follow],
    c: ["claim-button", click],
    d: ["id_reason", focus],
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      return; // typing, not a command
    }
    if (!document.body.classList.contains("flag-review")) {
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(SHORTCUTS, event.key)) {
      return;
    }
    var shortcut = SHORTCUTS[event.key];
    var element = document.getElementById(shortcut[0]);
    if (element) {
      event.preventDefault();
      shortcut[1](element);
    }
  });
})();
