// 「全て選択」 for a list of 期別 to choose (the issue page, 不納欠損の対象): a checkbox added in front
// of the list that checks or clears every 期別. Without JavaScript the page works as before (tick
// each one). Nothing is ticked by this script until the user asks.
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
