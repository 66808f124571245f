// K-Means Lab player: every frame of a run arrives once; stepping, Play, speed, keyboard
// and fullscreen happen here in the browser, with no server round trip per frame.

const INK = (v) => 255 - v; // centroids are drawn ink-dark on white, like the paper
const FONT = "16px sans-serif";
const GAP = 8;

async function inflate(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function el(tag, attrs = {}, parent = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(n) {
  return n.toLocaleString("en-US");
}

const IMAGES = new WeakMap(); // source array -> Map(offset -> ImageData), built once

function putGrey(canvas, src, offset, h, w) {
  if (canvas.__src === src && canvas.__offset === offset) return; // already shows it
  let cache = IMAGES.get(src);
  if (!cache) IMAGES.set(src, (cache = new Map()));
  let img = cache.get(offset);
  if (!img) {
    img = new ImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const v = INK(src[offset + i]);
      img.data[4 * i] = v;
      img.data[4 * i + 1] = v;
      img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    cache.set(offset, img);
  }
  canvas.getContext("2d").putImageData(img, 0, 0);
  canvas.__src = src;
  canvas.__offset = offset;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// ---- one pane: a run shown at a position -------------------------------------------------

function stepOf(pane, pos) {
  // pos 0: start; 2s-1: iteration s, assign; 2s: iteration s, update.
  const p = Math.min(pos, 2 * pane.n_iter);
  if (p === 0) return { s: 0, half: "start", centres: 0, labels: -1, done: pos > 0 };
  const s = Math.ceil(p / 2);
  const half = p % 2 === 1 ? "assign" : "update";
  return { s, half, centres: half === "assign" ? s - 1 : s, labels: s - 1, done: pos > p };
}

function counterText(pane, st) {
  const n = pane.n_iter;
  let t = st.s === 0 ? `start · iteration 0 of ${n}` : `iteration ${st.s} of ${n} · ${st.half}`;
  if (st.done) t += " · finished";
  return t;
}

function calloutText(pane, st) {
  if (st.labels < 0 || !pane.missing) return "";
  const miss = pane.missing[st.labels];
  if (!miss.length) return "Every class has a centroid.";
  return "No centroid for: " + miss.map((c) => pane.class_names[c]).join(", ");
}

function labelLines(pane, j, st, oneLine) {
  if (st.labels < 0) return ["start"];
  const i = st.labels * pane.k + j;
  const size = pane.sizes[i];
  if (size === 0) return ["empty · no images"];
  const words = [
    `mostly ${pane.class_names[pane.majority[i]]}`,
    `${pane.purity[i]}%`,
    `${fmt(size)} images`,
  ];
  return oneLine ? [words.join(" · ")] : [`${words[0]} · ${words[1]}`, words[2]];
}

function movesText(pane, i, short) {
  const j = fmt(pane.joined[i]);
  const l = fmt(pane.left[i]);
  return short ? `+${j} −${l}` : `+${j} joined · −${l} left`;
}

class ImagePane {
  constructor(pane, box) {
    this.pane = pane;
    this.box = box;
    this.head = el("div", { class: "pane-head" }, box);
    this.title = el("div", { class: "pane-title", text: pane.title || "" }, this.head);
    this.counter = el("div", { class: "counter", "data-testid": "kmlab-counter", "aria-live": "polite" }, this.head);
    this.callout = el("div", { class: "callout" }, this.head);
    this.grid = el("div", { class: "grid", "data-testid": "kmlab-picture" }, box);
    this.tiles = [];
    for (let j = 0; j < pane.k; j++) {
      const t = el("div", { class: "tile" }, this.grid);
      const c = el("canvas", { width: pane.w, height: pane.h, "data-testid": "kmlab-centroid" }, t);
      const lab = el("div", { class: "label" }, t);
      const moves = el("div", { class: "moves" }, t);
      const thumbs = el("div", { class: "thumbs" }, t);
      const tc = [];
      for (let m = 0; m < pane.m; m++) tc.push(el("canvas", { width: pane.w, height: pane.h }, thumbs));
      this.tiles.push({ t, c, lab, moves, thumbs, tc });
    }
  }

  layout(width, height) {
    const pane = this.pane;
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = FONT;
    // The widest text of each kind over every step: how many lines a cell width needs.
    const wide = { full: 0, first: 0, second: 0, moves: 0, short: 0 };
    const fit = (key, text) => (wide[key] = Math.max(wide[key], ctx.measureText(text).width));
    const seen = new Set();
    for (let s = 0; s < pane.n_iter; s++)
      for (let j = 0; j < pane.k; j++) {
        const i = s * pane.k + j;
        const key = `${pane.sizes[i]}|${pane.majority[i]}|${pane.purity[i]}|${pane.joined[i]}|${pane.left[i]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (pane.sizes[i] > 0) {
          const [full] = labelLines(pane, j, { labels: s }, true);
          const [first, second] = labelLines(pane, j, { labels: s }, false);
          fit("full", full);
          fit("first", first);
          fit("second", second);
        } else fit("full", "empty · no images");
        fit("moves", movesText(pane, i, false));
        fit("short", movesText(pane, i, true));
      }
    const fixed = 40; // pane head: title, counter, callout
    // With details (joined/left and joiners under every centroid) when they leave the
    // centroids big enough; else compact (the details move to a tooltip and the head).
    const plan = (details) => {
      let best = null;
      for (let cols = 1; cols <= pane.k; cols++) {
        const rows = Math.ceil(pane.k / cols);
        const cellW = Math.floor((width - (cols - 1) * GAP) / cols);
        const room = cellW - 4;
        const one = wide.full <= room;
        const lines = one ? 1 : Math.ceil(wide.first / room) + Math.ceil(wide.second / room);
        const shortMoves = wide.moves > room;
        const moveLines = details ? Math.ceil((shortMoves ? wide.short : wide.moves) / room) : 0;
        const thumb = Math.max(12, Math.min(28, Math.floor(cellW / Math.max(pane.m, 1)) - 4));
        const thumbs = details && pane.m ? thumb + 4 : 0;
        const extra = (lines + moveLines) * 20 + thumbs + GAP + 4;
        const size = Math.floor(Math.min(cellW, (height - fixed) / rows - extra));
        if (!best || size > best.size)
          best = { cols, cellW, lines: one ? 1 : 2, shortMoves, thumb, size, details };
      }
      return best;
    };
    let best = plan(true);
    if (best.size < 100 && pane.k > 10) best = plan(false);
    best.size = Math.max(best.size, 24);
    this.lay = best;
    this.grid.style.gridTemplateColumns = `repeat(${best.cols}, ${best.cellW}px)`;
    const px = Math.round(best.size * Math.min(1, pane.w / pane.h));
    for (const tile of this.tiles) {
      tile.moves.style.display = best.details ? "" : "none";
      tile.thumbs.style.display = best.details ? "" : "none";
      tile.c.style.height = `${best.size}px`;
      tile.c.style.width = `${px}px`;
      for (const c of tile.tc) {
        c.style.height = `${best.thumb}px`;
        c.style.width = `${best.thumb}px`;
      }
    }
  }

  draw(pos) {
    const pane = this.pane;
    const st = stepOf(pane, pos);
    const hw = pane.h * pane.w;
    for (let j = 0; j < pane.k; j++) {
      const tile = this.tiles[j];
      putGrey(tile.c, pane.centers, (st.centres * pane.k + j) * hw, pane.h, pane.w);
      const lines = labelLines(pane, j, st, this.lay.lines === 1);
      if (tile.lab.__text !== lines.join("\n")) {
        tile.lab.replaceChildren();
        for (const line of lines) el("div", { text: line }, tile.lab);
        tile.lab.__text = lines.join("\n");
      }
      const i = st.labels * pane.k + j;
      const empty = st.labels >= 0 && pane.sizes[i] === 0;
      if (tile.c.classList.contains("empty") !== empty) tile.c.classList.toggle("empty", empty);
      if (st.labels < 0) {
        setText(tile.moves, "\u00a0");
      } else {
        setText(tile.moves, movesText(pane, i, this.lay.shortMoves));
        tile.t.title = movesText(pane, i, false);
      }
      for (let m = 0; m < pane.m; m++) {
        const row = st.labels >= 0 && st.half === "assign" ? pane.joiners[i * pane.m + m] : -1;
        const c = tile.tc[m];
        const vis = row >= 0 ? "visible" : "hidden";
        if (c.style.visibility !== vis) c.style.visibility = vis;
        if (row >= 0) putGrey(c, pane.pool, row * hw, pane.h, pane.w);
      }
    }
    setText(this.counter, counterText(pane, st));
    let changed = "";
    if (st.labels > 0) {
      let n = 0;
      for (let j = 0; j < pane.k; j++) n += pane.joined[st.labels * pane.k + j];
      changed = `${fmt(n)} images changed cluster · `;
    }
    setText(this.callout, changed + calloutText(pane, st));
    this.callout.classList.toggle("warn", this.callout.textContent.includes("No centroid"));
  }
}

// ---- 2-D points --------------------------------------------------------------------------

class PointsPane {
  constructor(pane, box, onPlace) {
    this.pane = pane;
    this.head = el("div", { class: "pane-head" }, box);
    el("div", { class: "pane-title", text: pane.title || "" }, this.head);
    this.counter = el("div", { class: "counter", "data-testid": "kmlab-counter", "aria-live": "polite" }, this.head);
    this.callout = el("div", { class: "callout" }, this.head);
    this.canvas = el("canvas", { class: "plane", "data-testid": "kmlab-picture" }, box);
    this.regions = document.createElement("canvas");
    this.regions.width = pane.R;
    this.regions.height = pane.R;
    this.placed = [];
    if (onPlace) {
      this.canvas.style.cursor = "crosshair";
      this.canvas.addEventListener("click", (e) => {
        const r = this.canvas.getBoundingClientRect();
        const [x, y] = this.fromPx(e.clientX - r.left, e.clientY - r.top);
        onPlace(x, y);
      });
    }
  }

  layout(width, height) {
    const size = Math.max(200, Math.floor(Math.min(width, height - 40)));
    this.size = size;
    this.canvas.width = size;
    this.canvas.height = size;
    this.canvas.style.width = `${size}px`;
    this.canvas.style.height = `${size}px`;
  }

  toPx(x, y) {
    const [x0, x1, y0, y1] = this.pane.bounds;
    return [((x - x0) / (x1 - x0)) * this.size, (1 - (y - y0) / (y1 - y0)) * this.size];
  }

  fromPx(px, py) {
    const [x0, x1, y0, y1] = this.pane.bounds;
    const x = x0 + (px / this.size) * (x1 - x0);
    const y = y0 + (1 - py / this.size) * (y1 - y0);
    return [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000];
  }

  drawRegions(step) {
    const { R, k, regions, palette } = this.pane;
    const ctx = this.regions.getContext("2d");
    const img = ctx.createImageData(R, R);
    const rgb = palette.map(hexRgb);
    for (let i = 0; i < R; i++)
      for (let j = 0; j < R; j++) {
        const o = regions[step * R * R + i * R + j] % rgb.length;
        const d = 4 * ((R - 1 - i) * R + j); // row 0 is the lowest y
        img.data[d] = rgb[o][0];
        img.data[d + 1] = rgb[o][1];
        img.data[d + 2] = rgb[o][2];
        img.data[d + 3] = 56;
      }
    ctx.putImageData(img, 0, 0);
    void k;
  }

  cross(ctx, x, y, colour, label) {
    const [px, py] = this.toPx(x, y);
    ctx.lineWidth = 6;
    ctx.strokeStyle = "black";
    ctx.beginPath();
    ctx.moveTo(px - 9, py - 9);
    ctx.lineTo(px + 9, py + 9);
    ctx.moveTo(px + 9, py - 9);
    ctx.lineTo(px - 9, py + 9);
    ctx.stroke();
    ctx.lineWidth = 3;
    ctx.strokeStyle = colour;
    ctx.stroke();
    ctx.font = "bold 16px sans-serif";
    ctx.fillStyle = "black";
    ctx.textAlign = "center";
    ctx.fillText(label, px, py - 14);
  }

  draw(pos) {
    const pane = this.pane;
    const ctx = this.canvas.getContext("2d");
    const st = stepOf(pane, pos);
    const { k, n, X, palette } = pane;
    ctx.clearRect(0, 0, this.size, this.size);
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, this.size, this.size);
    if (pane.show_regions && !pane.place) {
      this.drawRegions(st.half === "start" ? 0 : st.s - 1);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.regions, 0, 0, this.size, this.size);
    }
    for (let i = 0; i < n; i++) {
      const [px, py] = this.toPx(X[2 * i], X[2 * i + 1]);
      ctx.fillStyle = st.labels < 0 ? "#8C8C8C" : palette[pane.labels[st.labels * n + i] % palette.length];
      ctx.globalAlpha = 0.8;
      ctx.beginPath();
      ctx.arc(px, py, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (pane.place) {
      this.placed.forEach(([x, y], j) => this.cross(ctx, x, y, palette[j % palette.length], String(j)));
      this.counter.textContent = `${this.placed.length} of ${this.k} starts placed`;
      return;
    }
    const C = pane.centers;
    ctx.strokeStyle = "#333333";
    ctx.lineWidth = 2;
    for (let j = 0; j < k; j++) {
      ctx.beginPath();
      for (let s = 0; s <= st.centres; s++) {
        const [px, py] = this.toPx(C[(s * k + j) * 2], C[(s * k + j) * 2 + 1]);
        if (s === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    for (let j = 0; j < k; j++) {
      const o = (st.centres * k + j) * 2;
      this.cross(ctx, C[o], C[o + 1], palette[j % palette.length], String(j));
    }
    this.counter.textContent = counterText(pane, st);
    this.callout.textContent = calloutText(pane, st);
  }
}

// ---- candidate images to pick the starts from --------------------------------------------

class CandidatesPane {
  constructor(pane, box, onPick) {
    this.pane = pane;
    this.placed = [];
    this.head = el("div", { class: "pane-head" }, box);
    this.counter = el("div", { class: "counter", "data-testid": "kmlab-counter" }, this.head);
    el("div", { class: "label", text: "Your starts, in order:" }, box);
    this.chosen = el("div", { class: "strip chosen", "data-testid": "kmlab-chosen" }, box);
    el("div", { class: "label", text: "Candidates (click one to add it):" }, box);
    this.strip = el("div", { class: "strip", "data-testid": "kmlab-candidates" }, box);
    const hw = pane.h * pane.w;
    this.cells = pane.rows.map((row, i) => {
      const c = el("canvas", { width: pane.w, height: pane.h, title: `a ${pane.class_names[pane.classes[i]]} (row ${row})`, "aria-label": `candidate ${i}` }, this.strip);
      putGrey(c, pane.pool, i * hw, pane.h, pane.w);
      c.addEventListener("click", () => onPick(i));
      return c;
    });
  }

  layout(width) {
    const n = this.pane.rows.length;
    const per = Math.max(10, Math.ceil(n / 3));
    const size = Math.max(40, Math.min(96, Math.floor(width / per) - 6));
    for (const c of this.cells) {
      c.style.width = `${size}px`;
      c.style.height = `${size}px`;
    }
    this.size = size;
  }

  draw() {
    const pane = this.pane;
    const hw = pane.h * pane.w;
    this.chosen.replaceChildren();
    for (const i of this.placed) {
      const c = el("canvas", { width: pane.w, height: pane.h }, this.chosen);
      c.style.width = `${this.size}px`;
      c.style.height = `${this.size}px`;
      putGrey(c, pane.pool, i * hw, pane.h, pane.w);
    }
    this.counter.textContent = `${this.placed.length} of ${this.k} starting images picked`;
  }
}

// ---- the player: panes stepped together by one set of controls -------------------------

const SPEEDS = [0.5, 1, 2, 4, 8, 15, 30];

class Player {
  constructor(root, data, trigger) {
    this.root = root;
    this.data = data;
    this.trigger = trigger;
    this.pos = 0;
    this.playing = false;
    this.fps = data.fps || 4;
    root.replaceChildren();
    this.wrap = el("div", { class: "player", tabindex: "0", "aria-label": data.label || "k-means player" }, root);
    this.bar = el("div", { class: "bar", role: "toolbar", "aria-label": "Stepping controls" }, this.wrap);
    this.body = el("div", { class: "panes" }, this.wrap);
    this.panes = [];
  }

  async load() {
    const d = this.data;
    for (const p of d.panes) {
      if (p.centers_z) p.centers = await inflate(p.centers_z);
      if (p.pool_z) p.pool = await inflate(p.pool_z);
      if (p.labels_z) p.labels = await inflate(p.labels_z);
      if (p.regions_z) p.regions = await inflate(p.regions_z);
    }
    const place = d.mode === "place";
    for (const p of d.panes) {
      const box = el("div", { class: "pane" }, this.body);
      p.place = place;
      let view;
      if (p.kind === "images") view = new ImagePane(p, box);
      else if (p.kind === "candidates") view = new CandidatesPane(p, box, (i) => this.place(i));
      else view = new PointsPane(p, box, place ? (x, y) => this.place([x, y]) : null);
      view.k = d.k;
      this.panes.push(view);
    }
    if (place) this.placeControls();
    else this.controls();
    this.relayout();
    this.draw();
    this.wrap.addEventListener("keydown", (e) => this.key(e));
    let pending = false;
    const onResize = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (this.relayout()) this.draw();
      });
    };
    window.addEventListener("resize", onResize);
    this.wrap.addEventListener("fullscreenchange", onResize);
    // The page above the player settles after it mounts (spinners go, captions come).
    const main = document.querySelector(".stMainBlockContainer") || document.body;
    const observer = new ResizeObserver(onResize);
    observer.observe(main);
    this.cleanup = () => {
      this.stop();
      observer.disconnect();
      window.removeEventListener("resize", onResize);
    };
  }

  button(label, text, fn, parent = this.bar) {
    const b = el("button", { type: "button", "aria-label": label, title: label, text }, parent);
    b.addEventListener("click", (e) => {
      e.preventDefault();
      fn();
    });
    return b;
  }

  controls() {
    this.button("Jump to start", "« Start", () => this.go(0));
    this.button("Step back", "◀ Step back", () => this.go(this.pos - 1));
    this.play = this.button("Play", "▶ Play", () => (this.playing ? this.stop() : this.start()));
    this.button("Step forward", "Step forward ▶", () => this.go(this.pos + 1));
    this.button("Jump to end", "End »", () => this.go(this.last()));
    const lab = el("label", { class: "speed" }, this.bar);
    el("span", { text: "Speed" }, lab);
    this.speed = el("select", { "aria-label": "Speed" }, lab);
    for (const s of SPEEDS) {
      const o = el("option", { value: String(s), text: `${s} steps/s` }, this.speed);
      if (s === this.fps) o.selected = true;
    }
    this.speed.addEventListener("change", () => {
      this.fps = Number(this.speed.value);
    });
    this.fullscreenButton();
  }

  fullscreenButton() {
    this.fs = this.button("Full screen", "Full screen", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else this.wrap.requestFullscreen();
    });
  }

  placeControls() {
    const k = this.data.k;
    this.button("Undo", "Undo", () => {
      this.panes[0].placed.pop();
      this.draw();
    });
    this.button("Clear", "Clear", () => {
      this.panes[0].placed = [];
      this.draw();
    });
    this.runBtn = this.button("Run from these starts", "Run from these starts", () => {
      const pane = this.panes[0];
      if (pane.placed.length !== k) return;
      const rows = pane.pane.rows;
      this.trigger("starts", rows ? pane.placed.map((i) => rows[i]) : pane.placed);
    });
    const what = this.data.panes[0].kind === "candidates" ? `Click ${k} images below` : `Click anywhere on the plane to place ${k} starts`;
    el("span", { class: "hint", text: `${what}, then run.` }, this.bar);
  }

  place(item) {
    const pane = this.panes[0];
    if (pane.placed.length < this.data.k) pane.placed.push(item);
    this.draw();
  }

  last() {
    return Math.max(...this.data.panes.map((p) => 2 * p.n_iter));
  }

  go(pos, report = true) {
    this.pos = Math.max(0, Math.min(this.last(), pos));
    this.draw();
    if (report && this.report) {
      // A presenting teacher: the class follows once the position rests for a moment.
      clearTimeout(this.reportTimer);
      this.reportTimer = setTimeout(() => this.report("pos", { run: this.data.id, pos: this.pos }), 150);
    }
  }

  key(e) {
    if (e.target.tagName === "SELECT") return;
    if (e.key === "ArrowRight") this.go(this.pos + 1);
    else if (e.key === "ArrowLeft") this.go(this.pos - 1);
    else return;
    e.preventDefault();
  }

  start() {
    if (this.pos >= this.last()) this.pos = 0;
    this.playing = true;
    this.play.textContent = "⏸ Pause";
    this.play.setAttribute("aria-label", "Pause");
    let lastT = performance.now();
    const tick = (t) => {
      if (!this.playing) return;
      if (t - lastT >= 1000 / this.fps) {
        lastT = t;
        this.go(this.pos + 1);
        if (this.pos >= this.last()) return this.stop();
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  stop() {
    this.playing = false;
    if (this.raf) cancelAnimationFrame(this.raf);
    if (this.play) {
      this.play.textContent = "▶ Play";
      this.play.setAttribute("aria-label", "Play");
    }
  }

  scroller() {
    let n = this.root;
    while (n) {
      n = n.parentNode || n.host;
      if (n && n.nodeType === 1) {
        const oy = getComputedStyle(n).overflowY;
        if ((oy === "auto" || oy === "scroll") && n.scrollHeight > n.clientHeight) return n;
      }
      if (n === document.documentElement) break;
    }
    return null;
  }

  relayout() {
    const full = document.fullscreenElement != null;
    const width = (full ? window.innerWidth - 24 : this.root.clientWidth || 800) - 2;
    // Where the player starts on the page (not on the screen: the page may be scrolled).
    const sc = this.scroller();
    const top = this.wrap.getBoundingClientRect().top + (sc ? sc.scrollTop : window.scrollY);
    const barH = 56;
    const height = full
      ? window.innerHeight - barH - 24
      : Math.max(320, window.innerHeight - top - barH - 12);
    const key = `${width}|${height}|${full}`;
    if (key === this.layoutKey) return false;
    this.layoutKey = key;
    const n = this.panes.length;
    const paneW = Math.floor((width - (n - 1) * 24) / n);
    for (const p of this.panes) p.layout(paneW, height);
    return true;
  }

  draw() {
    for (const p of this.panes) p.draw(this.pos);
    window.__kmlabFrames = (window.__kmlabFrames || 0) + 1;
    this.wrap.dataset.pos = String(this.pos);
  }
}

// A class following its teacher: stand where the teacher's player stands (each order once).
function obey(player, goto) {
  if (!goto || goto.run !== player.data.id || goto.n === player.obeyed) return;
  player.obeyed = goto.n;
  player.stop();
  if (player.panes.length) player.go(goto.pos, false);
  else player.pos = goto.pos;
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  const host = parentElement;
  let root = host.querySelector(".kmlab-root");
  if (!root) root = el("div", { class: "kmlab-root" }, host);
  if (root.__player && root.__player.data.id === data.id) {
    root.__player.report = data.report ? setStateValue : null;
    obey(root.__player, data.goto);
    return () => root.__player.stop();
  }
  if (root.__player && root.__player.cleanup) root.__player.cleanup();
  const player = new Player(root, data, setTriggerValue);
  player.report = data.report ? setStateValue : null;
  root.__player = player;
  obey(player, data.goto);
  player.load();
  return () => player.stop();
}
