// A position's stance choices in its debate's own words ("+2 · strongly more
// aggressive"), relabelled when another debate is chosen. The words come from
// the page (#stance-words); without this file the choices keep the words the
// page was rendered with, and the values are the same either way.
"use strict";

(function () {
  var relabel = function (words, debate, stance) {
    var labels = {};
    (words[debate] || words[""]).forEach(function (pair) {
      labels[String(pair[0])] = pair[1];
    });
    Array.prototype.forEach.call(stance.options, function (option) {
      if (option.value in labels) {
        option.textContent = labels[option.value];
      }
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("stance-words");
    var debate = document.getElementById("id_debate");
    var stance = document.getElementById("id_stance");
    if (!data || !debate || !stance || stance.tagName !== "SELECT") {
      return;
    }
    var words = JSON.parse(data.textContent);
    var update = function () {
      relabel(words, debate.value, stance);
    };
    // The debate field is an autocomplete: its widget announces a choice
    // through jQuery, which listeners added without it do not hear.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(debate).on("change", update);
    } else {
      debate.addEventListener("change", update);
    }
  });
})();
