// Dependent dropdowns: a new destination clears every other setting and offers that module's fields.
(function () {
  const form = document.getElementById("settings-form");
  if (!form) return;
  const module = document.getElementById("module");
  const dependents = Array.from(form.querySelectorAll("select.dependent"));
  const timezone = document.getElementById("timezone");

  function fill(select, choices, chosen) {
    select.replaceChildren(...choices.map((c) => {
      const option = new Option(`${c.label} (${c.api_name})`, c.api_name);
      option.selected = c.api_name === chosen;
      return option;
    }));
  }

  module.addEventListener("change", async () => {
    dependents.forEach((s) => s.replaceChildren());
    timezone.value = "";
    if (!module.value) return;
    const response = await fetch(form.dataset.fieldsUrl + encodeURIComponent(module.value) + "/fields",
                                 { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) { alert(body.detail + (body.hint ? "\n" + body.hint : "")); return; }
    dependents.forEach((s) => fill(s, body[s.name + "s"], body.defaults[s.name]));
    timezone.value = body.timezone;
  });
})();
