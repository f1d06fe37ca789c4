// Check-in without reloading the page; the forms work the same without this script.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList.contains("checkin-form")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const state = await response.json();
    const row = form.closest("li");
    row.className = state.present ? "arrived" : "waiting";
    form.querySelector("input[name=present]").value = state.present ? "0" : "1";
    const hidden = button.querySelector(".visually-hidden");
    button.textContent = state.present ? form.dataset.labelUndo : form.dataset.labelArrive;
    if (hidden) button.append(hidden);
    button.classList.toggle("button-secondary", state.present);
    document.querySelector("[data-arrived]").textContent = state.arrived;
    document.querySelector("[data-expected]").textContent = state.expected;
  } catch (error) {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
