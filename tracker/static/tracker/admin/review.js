// Keyboard shortcuts of the flag review screen: j/k next/previous flag, c claim,
// a accept, d dismiss (focuses the reason). Every shortcut is a plain link or
// button on the page too, so the screen works without this file.
"use strict";

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
  var follow = function (id) {
    var link = document.getElementById(id);
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  };
  switch (event.key) {
    case "j":
      follow("next-flag");
      break;
    case "k":
      follow("previous-flag");
      break;
    case "a":
      follow("accept-link");
      break;
    case "c": {
      var claim = document.getElementById("claim-button");
      if (claim) {
        event.preventDefault();
        claim.click();
      }
      break;
    }
    case "d": {
      var reason = document.getElementById("id_reason");
      if (reason) {
        event.preventDefault();
        reason.focus();
      }
      break;
    }
  }
});
