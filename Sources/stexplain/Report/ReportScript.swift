/// The script of an explanation report: one frame slider (with play/pause) drives every frame
/// picture on the page (`<img data-frames="DIR/">` shows `DIR/NNNN.png`) and every animated
/// skeleton (`<svg data-skeleton="METHOD">`, drawn from the JSON in `#skeleton-data`: the pose of
/// each frame, the bones and, per method, each joint's importance in [0, 1] per frame — the disc's
/// radius and colour).
enum ReportScript {
    static let frameSlider = #"""
        (function () {
          const slider = document.getElementById('frame');
          if (!slider) return;
          const label = document.getElementById('frame-label');
          const button = document.getElementById('play');
          const dataNode = document.getElementById('skeleton-data');
          const skeleton = dataNode ? JSON.parse(dataNode.textContent) : null;
          const ns = 'http://www.w3.org/2000/svg';
          function colour(v) { return 'hsl(' + Math.round(240 * (1 - v)) + ',85%,48%)'; }
          function drawSkeleton(svg, t) {
            const pose = skeleton.frames[t], importance = skeleton.importance[svg.dataset.skeleton][t];
            while (svg.firstChild) svg.removeChild(svg.firstChild);
            for (const [a, b] of skeleton.bones) {
              const line = document.createElementNS(ns, 'line');
              line.setAttribute('x1', pose[a][0]); line.setAttribute('y1', pose[a][1]);
              line.setAttribute('x2', pose[b][0]); line.setAttribute('y2', pose[b][1]);
              line.setAttribute('stroke', '#999'); line.setAttribute('stroke-width', '0.012');
              svg.appendChild(line);
            }
            pose.forEach(function (p, v) {
              const disc = document.createElementNS(ns, 'circle');
              disc.setAttribute('cx', p[0]); disc.setAttribute('cy', p[1]);
              disc.setAttribute('r', 0.015 + 0.05 * importance[v]);
              disc.setAttribute('fill', colour(importance[v])); disc.setAttribute('fill-opacity', '0.8');
              const title = document.createElementNS(ns, 'title');
              title.textContent = skeleton.joints[v] + ': ' + importance[v].toFixed(2);
              disc.appendChild(title);
              svg.appendChild(disc);
            });
          }
          function show(t) {
            document.querySelectorAll('img[data-frames]').forEach(function (img) {
              img.src = img.dataset.frames + String(t).padStart(4, '0') + '.png';
            });
            if (skeleton) document.querySelectorAll('svg[data-skeleton]').forEach(function (svg) { drawSkeleton(svg, t); });
            label.textContent = 'frame ' + t + ' of ' + slider.max;
          }
          let timer = null;
          button.addEventListener('click', function () {
            if (timer) { clearInterval(timer); timer = null; button.textContent = 'play'; return; }
            button.textContent = 'pause';
            timer = setInterval(function () {
              slider.value = (Number(slider.value) + 1) % (Number(slider.max) + 1);
              show(Number(slider.value));
            }, 125);
          });
          slider.addEventListener('input', function () { show(Number(slider.value)); });
          show(0);
        })();
        """#
}
