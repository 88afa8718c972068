// Draws every chart of the page from its data-option (an ECharts option built
// on the server) and keeps charts drawn after htmx swaps and window resizes.
// A data item with a `link` navigates there when clicked (drill-down).
(function () {
  // Money axes and tooltips as a director reads them: 万 / 亿 in Chinese,
  // K / M in English (the server's option says which).
  function money(option, lang) {
    var format = function (v) {
      var a = Math.abs(v);
      if (lang === 'zh-CN') {
        if (a >= 1e8) return (v / 1e8).toFixed(2) + '亿';
        if (a >= 1e4) return (v / 1e4).toFixed(a >= 1e6 ? 0 : 1) + '万';
      } else {
        if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
        if (a >= 1e3) return (v / 1e3).toFixed(0) + 'K';
      }
      return Math.round(v).toLocaleString();
    };
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      if (axis.type === 'value') axis.axisLabel = { formatter: format };
    });
    option.tooltip = Object.assign(option.tooltip || {}, { valueFormatter: format });
  }

  function draw(root) {
    if (!window.echarts) return;
    root.querySelectorAll('.chart[data-option]').forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = '1';
      var chart = echarts.init(el, null, { renderer: 'svg' });
      var option = JSON.parse(el.dataset.option);
      option.animation = false;
      if (option.yejiMoney) money(option, option.yejiMoney);
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
