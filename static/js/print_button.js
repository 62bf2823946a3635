// 「印刷」 on the case page: the browser's print dialog (the print stylesheet leaves out the menus
// and buttons). Without JavaScript the button does nothing and the browser's own print still works.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
