// 「全て選択」 for the installments on the issue page: a checkbox added in front of the list that
// checks or clears every 期別. Without JavaScript the page works as before (tick each one).
document.addEventListener("DOMContentLoaded", () => {
  const boxes = document.querySelectorAll('input[type="checkbox"][name="assessments"]');
  if (boxes.length < 2) return;
  const label = document.createElement("label");
  const all = document.createElement("input");
  all.type = "checkbox";
  label.append(all, " 全て選択");
  label.className = "select-all";
  const first = boxes[0].closest("div, ul") || boxes[0].parentElement;
  first.parentElement.insertBefore(label, first);
  all.addEventListener("change", () => boxes.forEach((box) => { box.checked = all.checked; }));
});
