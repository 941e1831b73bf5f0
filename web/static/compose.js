// lre: list the files chosen in a form and check them against the limits
// the server enforces, before anything is uploaded. The limits and the
// messages, in the page's language, are the data- attributes the server
// renders on each <input type="file" data-max-total> from the same limits
// it applies; without this script the form works the same and the server
// says the same after the upload. No inline script: the CSP allows only
// scripts from this site.
(function () {
  "use strict";

  // fill replaces each %s or %d of format with the next argument.
  function fill(format, args) {
    var i = 0;
    return format.replace(/%[sd]/g, function () { return String(args[i++]); });
  }

  function utf8Bytes(s) {
    return new TextEncoder().encode(s).length;
  }

  // size writes n bytes as the server's pages do (core.Bytes): binary
  // multiples, one decimal unless whole: 834 octets, 12,3 ko, 25 Mo. A total
  // checked against a limit is rounded up (up), so that one byte too many
  // never reads as the limit itself.
  function size(n, units, lang, up) {
    var u = units.split("|"), i = 0, v = n;
    while (i < u.length - 1 && v >= 1024) {
      v /= 1024;
      i++;
    }
    if (i === 0) {
      return n + " " + u[0];
    }
    v = (up ? Math.ceil(v * 10) : Math.round(v * 10)) / 10;
    return v.toLocaleString(lang, { maximumFractionDigits: 1, useGrouping: false }) + " " + u[i];
  }

  // problems returns what is wrong with input's files, in the page's words.
  function problems(input) {
    var d = input.dataset, lang = document.documentElement.lang;
    var out = [], files = input.files, total = Number(d.keptBytes || 0);
    var body = d.body && document.getElementById(d.body);
    if (body) {
      total += utf8Bytes(body.value);
    }
    var count = files.length + Number(d.keptFiles || 0);
    for (var i = 0; i < files.length; i++) {
      total += files[i].size;
      var nameBytes = utf8Bytes(files[i].name);
      if (nameBytes > Number(d.maxName)) {
        out.push(fill(d.msgName, [files[i].name, nameBytes, d.maxName]));
      }
    }
    if (count > Number(d.maxFiles)) {
      out.push(fill(d.msgTooMany, [count, d.maxFiles]));
    }
    if (total > Number(d.maxTotal)) {
      out.push(fill(d.msgTooLarge, [size(total, d.units, lang, true), size(Number(d.maxTotal), d.units, lang)]));
    }
    return { total: total, messages: out };
  }

  function show(input) {
    var d = input.dataset, lang = document.documentElement.lang;
    var list = document.getElementById(d.list), alert = document.getElementById(d.alert);
    var p = problems(input);
    list.textContent = "";
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      li.textContent = input.files[i].name + " (" + size(input.files[i].size, d.units, lang) + ")";
      list.appendChild(li);
    }
    if (input.files.length > 0) {
      var sum = document.createElement("li");
      sum.className = "chosen-total";
      sum.textContent = fill(d.msgChosen, [size(p.total, d.units, lang, true), size(Number(d.maxTotal), d.units, lang)]);
      list.appendChild(sum);
    }
    list.hidden = input.files.length === 0;
    alert.textContent = p.messages.join(" ");
    alert.hidden = p.messages.length === 0;
    if (p.messages.length > 0) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    return p.messages.length === 0;
  }

  document.querySelectorAll("input[type=file][data-max-total]").forEach(function (input) {
    input.addEventListener("change", function () { show(input); });
    var body = input.dataset.body && document.getElementById(input.dataset.body);
    if (body) {
      body.addEventListener("change", function () { show(input); });
    }
    if (input.form) {
      input.form.addEventListener("submit", function (e) {
        if (!show(input)) {
          e.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
