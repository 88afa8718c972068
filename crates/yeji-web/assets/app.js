// Draws every chart of the page from its data-option (an ECharts option built
// on the server) and keeps charts drawn after htmx swaps and window resizes.
// A data item with a `link` navigates there when clicked (drill-down).
(function () {
  function draw(root) {
    if (!window.echarts) return;
    root.querySelectorAll('.chart[data-option]').forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = '1';
      var chart = echarts.init(el, null, { renderer: 'svg' });
      var option = JSON.parse(el.dataset.option);
      option.animation = false;
      chart.setOption(option);
      chart.on('click', function (params) {
        if (params.data && params.data.link) window.location.href = params.data.link;
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    draw(document);
    document.body.dataset.chartsReady = '1';
  });
  document.addEventListener('htmx:afterSwap', function (event) { draw(event.target); });
  window.addEventListener('resize', function () {
    document.querySelectorAll('.chart[data-option]').forEach(function (el) {
      var chart = window.echarts && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
})();
