import * as Phaser from 'phaser';
import {
  LabelSieve,
  OKABE_ITO,
  cssColour,
  diffInFlight,
  fitLabelLines,
  linkCut,
  links,
  messageLabelCorner,
  messagePosition,
  pick,
  placeLabels,
  ringLayout,
  LABEL_MAX_LINES,
  sieveBlocked,
  styleOf,
  type LabelBox,
  type Point,
  type Rect,
  type RingLayout,
} from '../layout';
import { followsOn, nodeLabelLines, type MessagePicture, type NodePicture, type Picture, type ReplayStep } from '../picture';
import {
  CELL_LOOK,
  cellColour,
  cellTextColour,
  hatchSegments,
  splitLabelBox,
  stripGeometry,
  stripLayout,
  stripRows,
  stripWidth,
  type CellState,
  type StripGeometry,
} from '../logs';
import { learnedAny } from '../../../shared/protocols/common';
import { KeyedPool } from '../pool';
import { LOG_CELL_STYLE, LabelAtlas, MESSAGE_LABEL_STYLE, dotAtlas, dotFrame, dotSide, type AtlasFrame } from './atlas';
import { bridgeOf, fitCamera, pixelRatio, viewSize } from './scenes';
import { FONT, TextWidths } from './textWidths';
import { DOT_RADIUS, textureKey, textureScale } from './textures';

interface MessageSprite {
  /**
   * Bobs of the scene's message blitters, the dots' and the labels' above them: a blitter draws hundreds
   * of frames of one texture without a game object, a transform and a saved canvas state for each.
   * Bobs are placed in device pixels.
   */
  dot: Phaser.GameObjects.Bob;
  label: Phaser.GameObjects.Bob;
  /** The dot's style, which also names its own texture (for the burst of a vanishing message). */
  texture: string;
  /** Whether the dot shows the bigger, selected frame. */
  selected: boolean;
  /** The label's text ('' for none) and its frame in the label atlas. */
  text: string;
  labelFrame: AtlasFrame | null;
  /** Where the message is, in CSS pixels. */
  x: number;
  y: number;
}

interface NodeSprite {
  ring: Phaser.GameObjects.Graphics;
  /** The node's soonest timer, as a ring that empties as it runs down. */
  timer: Phaser.GameObjects.Graphics;
  /** What the ring was last drawn from (place and share left, in steps of a degree), so that an unchanged one is not drawn again. */
  timerDrawn: string;
  name: Phaser.GameObjects.Text;
  info: Phaser.GameObjects.Text;
  /** What the label was last written from (its lines and its box), so that an unchanged one is left alone. */
  written: string;
}

/** A node's log as drawn: where its strip's cells are and what they say (for tests). */
interface DrawnStrip {
  node: number;
  earlier: number;
  cells: (Rect & { slot: number; state: CellState; text: string })[];
}

/** The ground of a cell that is not filled, so that its words read on it. */
const CELL_GROUND = 0x1b1f27;

const TEXT = '#e8ecf3';
const MUTED = '#9aa3b2';
const HIGHLIGHT = '#f0e442';

/** The round: nodes on a ring, links (cut ones marked), messages gliding along them. */
export class RoundScene extends Phaser.Scene {
  private linksGfx!: Phaser.GameObjects.Graphics;
  private nodes: NodeSprite[] = [];
  private pool!: KeyedPool<MessageSprite>;
  private labels!: LabelAtlas;
  /** Each node's log strip: the cells' shapes, and their words from an atlas of their own. */
  private stripGfx!: Phaser.GameObjects.Graphics;
  private cellWords!: LabelAtlas;
  private cellBlitter!: Phaser.GameObjects.Blitter;
  /** What the strips were last drawn from, so that unchanged ones are not drawn again. */
  private stripKey = '';
  private strips: DrawnStrip[] = [];
  /** Device pixels per CSS pixel that the atlases were drawn for. */
  private ratio = 1;
  /** Sides of a dot's frame, plain and selected, in device pixels. */
  private dotSides = { plain: 0, selected: 0 };
  private version = -1;
  private size = '';
  private positions: Point[] = [];
  private radius = 20;
  private ring: RingLayout | null = null;
  private labelBoxes: LabelBox[] = [];
  private labelKey = '';
  private readonly widths = new TextWidths();
  /** The vanishing burst is drawn from the Preloader's textures, with this many pixels per CSS pixel. */
  private dotScale = 1;
  /** Message labels show only where they have room; nodes and their labels always have it. */
  private readonly sieve = new LabelSieve();
  private readonly corner: Point = { x: 0, y: 0 };
  private blocked: Rect[] = [];
  private box = { width: 0, height: 0 };
  private selectedMessage: number | null = null;
  private shown: MessagePicture[] = [];
  /** The replay step last drawn, null in live play. */
  private shownStep: ReplayStep | null = null;
  private pulse = 0;
  private pendingForks = new Map<number, number>();

  constructor() {
    super('Round');
  }

  create(): void {
    // Phaser keeps this scene object when it stops and starts it again, but destroys every game
    // object it made: forget them all, or the next run would draw into destroyed texts.
    this.forget();
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.forget());
    fitCamera(this);
    this.dotScale = 1 / textureScale(this);
    const ratio = pixelRatio(this);
    this.ratio = ratio;
    this.dotSides = { plain: dotSide(false, ratio), selected: dotSide(true, ratio) };
    this.linksGfx = this.add.graphics().setDepth(0);
    // The atlases hold a texture pixel for each device pixel, and the container undoes the camera's
    // zoom, so that bobs are placed, and drawn unresampled, on whole device pixels.
    const dots = this.make.blitter({ key: dotAtlas(this.textures, ratio) }, false);
    this.labels = new LabelAtlas(this.textures, 'msg-labels', MESSAGE_LABEL_STYLE, ratio);
    const labels = this.make.blitter({ key: this.labels.key }, false);
    this.add.container(0, 0, [dots, labels]).setDepth(2).setScale(1 / ratio);
    this.stripGfx = this.add.graphics().setDepth(3);
    this.cellWords = new LabelAtlas(this.textures, 'log-cells', LOG_CELL_STYLE, ratio, 1024, 512);
    this.cellBlitter = this.make.blitter({ key: this.cellWords.key }, false);
    this.add.container(0, 0, [this.cellBlitter]).setDepth(4).setScale(1 / ratio);
    this.pool = new KeyedPool<MessageSprite>(
      () => ({
        dot: dots.create(0, 0, dotFrame(textureKey('circle', OKABE_ITO.grey), false), false),
        label: labels.create(0, 0, '__BASE', false),
        texture: '',
        selected: false,
        text: '',
        labelFrame: null,
        x: 0,
        y: 0,
      }),
      (s) => {
        s.dot.setVisible(false);
        s.label.setVisible(false);
      },
    );
    this.input.on('pointerdown', (pointer: Phaser.Input.Pointer) => this.clicked(pointer));
  }

  /** Drops every reference to the last run's game objects and what was drawn with them. */
  private forget(): void {
    this.nodes = [];
    this.positions = [];
    this.ring = null;
    this.labelBoxes = [];
    this.labelKey = '';
    this.stripKey = '';
    this.strips = [];
    this.blocked = [];
    this.selectedMessage = null;
    this.shown = [];
    this.shownStep = null;
    this.pendingForks = new Map();
    this.version = -1;
    this.size = '';
    this.pulse = 0;
  }

  /** What is drawn where, in CSS pixels of the canvas: the nodes, their labels and the messages' labels shown (for tests). */
  drawnLayout(): {
    width: number;
    height: number;
    nodes: (Point & { radius: number })[];
    labels: (Rect & { node: number; text: string })[];
    messageLabels: (Rect & { id: number; text: string })[];
    strips: DrawnStrip[];
    /** The nodes whose timer ring is drawn. */
    rings: number[];
  } {
    const labels = this.nodes.flatMap((n, node) => {
      if (!n.info.visible || n.info.text === '') return [];
      const b = n.info.getBounds();
      return [{ node, text: n.info.text, x: b.x, y: b.y, width: b.width, height: b.height }];
    });
    const r = this.ratio;
    const messageLabels = this.pool.ids().flatMap((id) => {
      const s = this.pool.get(id)!;
      if (!s.label.visible || !s.labelFrame) return [];
      return [{ id, text: s.text, x: s.label.x / r, y: s.label.y / r, width: s.labelFrame.width / r, height: s.labelFrame.height / r }];
    });
    return { ...viewSize(this), nodes: this.positions.map((p) => ({ ...p, radius: this.radius })), labels, messageLabels, strips: this.strips, rings: this.nodes.flatMap((n, node) => (n.timerDrawn !== '' ? [node] : [])) };
  }

  private clicked(pointer: Phaser.Input.Pointer): void {
    // The pointer is in canvas pixels; the scene draws in CSS pixels.
    const world = this.cameras.main.getWorldPoint(pointer.x, pointer.y);
    const at = { x: world.x, y: world.y };
    const bridge = bridgeOf(this);
    const additive = Boolean((pointer.event as MouseEvent | undefined)?.shiftKey);
    const node = this.positions.findIndex((p) => Math.hypot(p.x - at.x, p.y - at.y) <= this.radius + 4);
    if (node >= 0) {
      bridge.nodeClicked(node, additive);
      return;
    }
    const sprites = this.pool.ids().map((id) => ({ id, x: this.pool.get(id)!.x, y: this.pool.get(id)!.y }));
    const hit = pick(sprites, at, DOT_RADIUS + 8);
    if (hit) bridge.messageClicked(hit.id);
  }

  override update(_time: number, delta: number): void {
    const bridge = bridgeOf(this);
    const { picture, version } = bridge.picture();
    if (!picture) return;
    // The atlases are drawn for one pixel ratio: on another screen (or another zoom), start afresh.
    if (pixelRatio(this) !== this.ratio) {
      this.scene.restart();
      return;
    }
    // The ring leaves room for the labels it will carry: every node's in the god view, the player's own otherwise.
    const size = `${this.scale.width}x${this.scale.height}x${this.ratio}x${picture.nodes.length}x${picture.god ? 'god' : picture.viewer}x${picture.protocol}`;
    if (version !== this.version || size !== this.size) {
      const relayout = size !== this.size;
      this.size = size;
      this.version = version;
      if (relayout) this.layout(picture);
      this.drawLinks(picture);
      this.drawNodes(picture);
      this.updateMessages(picture);
    }
    this.pulse += delta;
    const now = bridge.clock.now(performance.now());
    const ratio = this.ratio;
    for (const m of picture.messages) {
      const sprite = this.pool.get(m.id);
      const from = this.positions[m.from];
      const to = this.positions[m.to];
      if (!sprite || !from || !to) continue;
      const p = messagePosition(from, to, m.sentAt, m.deliverAt, now);
      sprite.x = p.x;
      sprite.y = p.y;
      // Bobs sit by their top-left corner, on whole device pixels: a frame drawn between pixels is
      // resampled, which blurs it and costs the canvas more than everything else here.
      const half = (sprite.selected ? this.dotSides.selected : this.dotSides.plain) / 2;
      sprite.dot.setPosition(Math.round(ratio * p.x - half), Math.round(ratio * p.y - half));
    }
    this.drawTimers(picture, now);
    this.sieveLabels(picture);
    if (this.pendingForks.size > 0) {
      for (const [copy, original] of this.pendingForks) {
        const from = this.pool.get(original);
        const to = this.pool.get(copy);
        if (from && to) this.fork(from, to);
      }
      this.pendingForks = new Map();
    }
    for (const n of picture.nodes) if (n.commit) this.nodes[n.id]?.ring.setAlpha(0.75 + 0.25 * Math.sin(this.pulse / 250));
  }

  /**
   * Shows a message's label only where it overlaps no node, no node's label and no label shown
   * before it: the selected message's first, then the oldest first. The others keep their dot.
   */
  private sieveLabels(picture: Picture): void {
    this.sieve.reset(this.box, this.blocked);
    const selected = this.selectedMessage !== null ? this.pool.get(this.selectedMessage) : undefined;
    if (selected) this.offerLabel(selected);
    for (const m of picture.messages) {
      const sprite = this.pool.get(m.id);
      if (sprite && sprite !== selected) this.offerLabel(sprite);
    }
  }

  private offerLabel(sprite: MessageSprite): void {
    const frame = sprite.labelFrame;
    if (!frame) return;
    const r = this.ratio;
    const at = messageLabelCorner(sprite.x, sprite.y - DOT_RADIUS - 1, frame.width, frame.height, r, this.corner);
    // The sieve sees the label where it is drawn, on its whole device pixels.
    const room = this.sieve.place(at.x / r, at.y / r, frame.width / r, frame.height / r);
    if (room) sprite.label.setPosition(at.x, at.y);
    if (sprite.label.visible !== room) sprite.label.setVisible(room);
  }

  private layout(picture: Picture): void {
    const box = viewSize(this);
    this.box = box;
    // A node's log strip takes two lines of its label (values and their marks): a protocol with logs gets labels of the most lines.
    const lines = picture.nodes.some((n) => n.log !== null) ? LABEL_MAX_LINES : undefined;
    const ring = ringLayout(picture.nodes.length, box, (node) => picture.god || node === picture.viewer, lines);
    this.ring = ring;
    this.labelKey = '';
    this.positions = ring.positions;
    this.radius = ring.radius;
    for (const n of this.nodes) {
      n.ring.destroy();
      n.timer.destroy();
      n.name.destroy();
      n.info.destroy();
    }
    const resolution = this.ratio;
    this.nodes = this.positions.map((p) => ({
      ring: this.add.graphics().setDepth(1),
      timer: this.add.graphics().setDepth(2),
      timerDrawn: '',
      name: this.add
        .text(p.x, p.y, '', { fontFamily: FONT, fontSize: `${Math.round(Math.max(14, this.radius * 0.75))}px`, color: TEXT, fontStyle: 'bold', resolution })
        .setOrigin(0.5)
        .setDepth(4),
      info: this.add.text(0, 0, '', { fontFamily: FONT, fontSize: `${ring.fontSize}px`, color: MUTED, lineSpacing: 1, resolution }).setOrigin(0, 0).setDepth(4),
      written: '',
    }));
  }

  private drawLinks(picture: Picture): void {
    const g = this.linksGfx;
    g.clear();
    for (const [a, b] of links(picture.nodes.length)) {
      const pa = this.positions[a]!;
      const pb = this.positions[b]!;
      if (linkCut(picture.partition, a, b)) {
        // A cut link: two stubs with a gap and a cross in the middle.
        const mx = (pa.x + pb.x) / 2;
        const my = (pa.y + pb.y) / 2;
        g.lineStyle(2, OKABE_ITO.vermillion, 0.7);
        g.lineBetween(pa.x, pa.y, pa.x + (mx - pa.x) * 0.8, pa.y + (my - pa.y) * 0.8);
        g.lineBetween(pb.x, pb.y, pb.x + (mx - pb.x) * 0.8, pb.y + (my - pb.y) * 0.8);
        g.lineBetween(mx - 5, my - 5, mx + 5, my + 5);
        g.lineBetween(mx - 5, my + 5, mx + 5, my - 5);
      } else {
        g.lineStyle(1, 0x465063, 0.55);
        g.lineBetween(pa.x, pa.y, pb.x, pb.y);
      }
    }
  }

  private drawNodes(picture: Picture): void {
    const ring = this.ring;
    if (!ring) return;
    const texts = picture.nodes.map((n) => nodeLabelLines(n, picture));
    const measure = (line: string) => this.widths.measure(line, ring.fontSize);
    const measureCell = (words: string) => this.widths.measure(words, LOG_CELL_STYLE.fontSize);
    // A node's log takes the first lines of its label (one, or two for marks under the values).
    const strips = picture.nodes.map((n) => {
      const rows = stripRows(n.log);
      if (rows === 0 || !n.log) return null;
      const widest = Math.max(0, ...n.log.cells.flatMap((c) => [measureCell(c.value ?? ''), measureCell(c.mark ?? '')]));
      return { rows, geometry: stripGeometry(widest, ring.fontSize, ring.lineHeight, rows, n.log.cells.length) };
    });
    const wishes = texts.map((lines, i) => {
      const strip = strips[i];
      const cells = picture.nodes[i]?.log?.cells.length ?? 0;
      return { width: Math.max(0, ...lines.map(measure), strip ? stripWidth(cells, strip.geometry) : 0), lines: lines.length + (strip?.rows ?? 0) };
    });
    // Labels are placed around what each says now, so that none overlaps another or a node; the
    // sizes change far less often than the words, so the last placement is reused while they hold.
    const key = wishes.map((w) => `${w.width}x${w.lines}`).join(' ');
    if (key !== this.labelKey) {
      this.labelBoxes = placeLabels(ring, viewSize(this), wishes);
      this.labelKey = key;
      // Message labels keep off the nodes (with the commit point's ring) and the room of the nodes' labels.
      this.blocked = sieveBlocked(this.positions, this.radius, this.labelBoxes);
    }
    const stripRooms: ({ room: Rect; geometry: StripGeometry; align: LabelBox['align'] } | null)[] = [];
    picture.nodes.forEach((n, i) => {
      const sprite = this.nodes[i];
      const p = this.positions[i];
      if (!sprite || !p) return;
      this.drawNode(sprite, p, n);
      const strip = strips[i];
      const box = this.labelBoxes[i]!;
      const { strip: room, text } = splitLabelBox(box, strip?.rows ?? 0, ring.lineHeight);
      stripRooms[i] = strip && room ? { room, geometry: strip.geometry, align: box.align } : null;
      this.drawLabel(sprite, n, texts[i] ?? [], text, measure);
    });
    this.drawStrips(picture, stripRooms, measureCell);
  }

  /**
   * Each node's log in its strip: the latest cells that fit, each drawn by its state (a dashed
   * outline when empty, hollow when accepted, hatched when chosen, filled when applied), its value
   * and, where there is room, its mark under it; "+N" before a window that leaves slots out.
   */
  private drawStrips(picture: Picture, rooms: readonly ({ room: Rect; geometry: StripGeometry; align: LabelBox['align'] } | null)[], measure: (s: string) => number): void {
    const key = JSON.stringify(rooms.map((r, i) => (r ? [r, picture.nodes[i]?.log?.cells, picture.nodes[i]?.crashed] : null)));
    if (key === this.stripKey) return;
    this.stripKey = key;
    const g = this.stripGfx;
    g.clear();
    this.cellBlitter.clear();
    const drawn: DrawnStrip[] = [];
    const words: { text: string; colour: string; cx: number; cy: number }[] = [];
    rooms.forEach((r, i) => {
      const log = picture.nodes[i]?.log;
      if (!r || !log) return;
      const layout = stripLayout(log.cells.length, r.room, r.geometry, r.align);
      const alpha = picture.nodes[i]?.crashed ? 0.55 : 1;
      const lineHeight = this.ring?.lineHeight ?? 16;
      const strip: DrawnStrip = { node: i, earlier: layout.earlier?.count ?? 0, cells: [] };
      for (const box of layout.cells) {
        const cell = log.cells[box.index]!;
        const look = CELL_LOOK[cell.state];
        const colour = cellColour(cell);
        if (look.fill === 'solid') g.fillStyle(colour, alpha).fillRect(box.x, box.y, box.width, box.height);
        else g.fillStyle(CELL_GROUND, 0.9 * alpha).fillRect(box.x, box.y, box.width, box.height);
        if (look.fill === 'hatch') {
          g.lineStyle(1.5, colour, 0.5 * alpha);
          for (const [x1, y1, x2, y2] of hatchSegments(box, 5)) g.lineBetween(x1, y1, x2, y2);
        }
        if (look.outline === 'dashed') this.dashedRect(g, box, colour, alpha);
        else g.lineStyle(cell.state === 'accepted' ? 1.5 : 2, colour, alpha).strokeRect(box.x + 0.5, box.y + 0.5, box.width - 1, box.height - 1);
        const room = box.width - 4;
        const value = cell.value === null ? '' : (fitLabelLines([cell.value], 1, room, measure)[0] ?? '');
        const two = box.height >= 2 * lineHeight - 2;
        const mark = cell.mark && two ? (fitLabelLines([cell.mark], 1, room, measure)[0] ?? '') : '';
        const textColour = cssColour(cellTextColour(cell));
        const cx = box.x + box.width / 2;
        if (value) words.push({ text: value, colour: textColour, cx, cy: mark ? box.y + box.height / 4 + 0.5 : box.y + box.height / 2 });
        if (mark) words.push({ text: mark, colour: look.fill === 'solid' ? textColour : MUTED, cx, cy: box.y + (3 * box.height) / 4 - 0.5 });
        strip.cells.push({ slot: cell.slot, state: cell.state, text: [value, mark].filter((t) => t).join(' '), x: box.x, y: box.y, width: box.width, height: box.height });
      }
      if (layout.earlier) {
        const e = layout.earlier;
        words.push({ text: `+${e.count}`, colour: MUTED, cx: e.x + e.width / 2, cy: e.y + e.height / 2 });
      }
      drawn.push(strip);
    });
    this.strips = drawn;
    // A full atlas is cleared and filled again with the words shown now.
    const frames = () => words.map((w) => this.cellWords.frame(w.text, w.colour));
    let made = frames();
    if (made.some((f) => f === null)) {
      this.cellWords.clear();
      made = frames();
    }
    const ratio = this.ratio;
    words.forEach((w, i) => {
      const frame = made[i];
      if (!frame) return;
      this.cellBlitter.create(Math.round(ratio * w.cx - frame.width / 2), Math.round(ratio * w.cy - frame.height / 2), frame.name);
    });
    this.cellWords.flush();
  }

  /** An empty slot: its outline in short dashes. */
  private dashedRect(g: Phaser.GameObjects.Graphics, r: Rect, colour: number, alpha: number): void {
    g.lineStyle(1, colour, 0.8 * alpha);
    const dash = 3;
    for (let x = r.x; x < r.x + r.width; x += 2 * dash) {
      const to = Math.min(x + dash, r.x + r.width);
      g.lineBetween(x, r.y + 0.5, to, r.y + 0.5);
      g.lineBetween(x, r.y + r.height - 0.5, to, r.y + r.height - 0.5);
    }
    for (let y = r.y; y < r.y + r.height; y += 2 * dash) {
      const to = Math.min(y + dash, r.y + r.height);
      g.lineBetween(r.x + 0.5, y, r.x + 0.5, to);
      g.lineBetween(r.x + r.width - 0.5, y, r.x + r.width - 0.5, to);
    }
  }

  /**
   * Writes a label into its box: lines that do not fit are cut short, and the text keeps to the
   * node's side of the box. Phaser redraws a text at every change of its words, alignment or colour,
   * even to what it already has: a label whose lines and box are unchanged is not written again.
   */
  private drawLabel(sprite: NodeSprite, n: NodePicture, lines: string[], box: LabelBox, measure: (s: string) => number): void {
    const text = sprite.info;
    const written = `${box.x},${box.y},${box.width},${box.height},${box.lines},${box.align},${box.valign}\n${lines.join('\n')}`;
    if (written !== sprite.written) {
      sprite.written = written;
      let shown = fitLabelLines(lines, box.lines, box.width, measure);
      if (text.style.align !== box.align) text.setAlign(box.align);
      text.setText(shown.join('\n'));
      // The font's real line height may exceed the one the box was made for: drop lines until it fits.
      while (shown.length > 0 && text.height > box.height + 0.5) {
        shown = fitLabelLines(lines, shown.length - 1, box.width, measure);
        text.setText(shown.join('\n'));
      }
      const x = box.align === 'left' ? box.x : box.align === 'right' ? box.x + box.width - text.width : box.x + (box.width - text.width) / 2;
      const y = box.valign === 'top' ? box.y : box.valign === 'bottom' ? box.y + box.height - text.height : box.y + (box.height - text.height) / 2;
      text.setPosition(x, y).setVisible(shown.length > 0);
    }
    const colour = n.commit ? HIGHLIGHT : n.isSelf ? TEXT : MUTED;
    if (text.style.color !== colour) text.setColor(colour);
    text.setAlpha(n.crashed ? 0.6 : 1);
  }

  /**
   * Each node's soonest timer as a ring just outside it, full when set and empty when it fires. The
   * ring moves by less than a degree in most frames: it is drawn again only when it has moved by one.
   */
  private drawTimers(picture: Picture, now: number): void {
    const r = this.radius + 5;
    picture.nodes.forEach((n, i) => {
      const sprite = this.nodes[i];
      const p = this.positions[i];
      if (!sprite || !p) return;
      const t = n.crashed ? undefined : n.timers[0];
      const left = t ? Math.max(0, Math.min(1, (t.firesAt - now) / Math.max(1, t.firesAt - t.setAt))) : 0;
      const drawn = t ? `${p.x},${p.y},${r},${Math.round(left * 360)}` : '';
      if (drawn === sprite.timerDrawn) return;
      sprite.timerDrawn = drawn;
      const g = sprite.timer;
      g.clear();
      if (!t) return;
      g.lineStyle(3, 0x465063, 0.6);
      g.strokeCircle(p.x, p.y, r);
      if (left <= 0) return;
      g.lineStyle(3, OKABE_ITO.orange, 1);
      g.beginPath();
      g.arc(p.x, p.y, r, -Math.PI / 2, -Math.PI / 2 + left * 2 * Math.PI, false);
      g.strokePath();
    });
  }

  private drawNode(sprite: NodeSprite, p: Point, n: NodePicture): void {
    const g = sprite.ring;
    const r = this.radius;
    g.clear();
    g.setAlpha(1);
    if (n.commit) {
      g.lineStyle(5, OKABE_ITO.yellow, 1);
      g.strokeCircle(p.x, p.y, r + 9);
    }
    g.fillStyle(n.crashed ? 0x3a3d44 : n.isSelf ? 0x22384f : 0x2c3340, n.crashed ? 0.6 : 1);
    g.fillCircle(p.x, p.y, r);
    const learned = n.learned !== null && learnedAny(n.learned);
    const outline = n.selected ? OKABE_ITO.yellow : learned ? OKABE_ITO.green : n.isSelf ? OKABE_ITO.skyBlue : 0x5b6578;
    g.lineStyle(n.selected || n.isSelf || learned ? 4 : 2, outline, n.crashed ? 0.5 : 1);
    g.strokeCircle(p.x, p.y, r);
    if (n.crashed) {
      g.lineStyle(3, OKABE_ITO.vermillion, 0.8);
      g.lineBetween(p.x - r * 0.6, p.y - r * 0.6, p.x + r * 0.6, p.y + r * 0.6);
    }
    this.drawLeader(g, p, n);
    sprite.name.setText(n.name).setAlpha(n.crashed ? 0.5 : 1);
  }

  /**
   * The leader a node believes in: a small crown over the letter of a node that believes in itself,
   * else a short arrow from the node towards its leader, outside its timer ring (its label says
   * "leader: B" too).
   */
  private drawLeader(g: Phaser.GameObjects.Graphics, p: Point, n: NodePicture): void {
    const leader = n.log?.leader ?? null;
    if (leader === null) return;
    const r = this.radius;
    const alpha = n.crashed ? 0.5 : 1;
    if (leader === n.id) {
      // Inside the circle, above its letter: outside it, the rings and the label have the room.
      const w = r * 0.6;
      const base = p.y - r * 0.5;
      const h = r * 0.3;
      g.fillStyle(OKABE_ITO.yellow, alpha);
      g.beginPath();
      g.moveTo(p.x - w / 2, base);
      g.lineTo(p.x - w / 2, base - h);
      g.lineTo(p.x - w / 4, base - h / 2);
      g.lineTo(p.x, base - h);
      g.lineTo(p.x + w / 4, base - h / 2);
      g.lineTo(p.x + w / 2, base - h);
      g.lineTo(p.x + w / 2, base);
      g.closePath();
      g.fillPath();
      return;
    }
    const to = this.positions[leader];
    if (!to) return;
    const d = Math.hypot(to.x - p.x, to.y - p.y);
    if (d <= 0) return;
    const ux = (to.x - p.x) / d;
    const uy = (to.y - p.y) / d;
    const start = r + 8;
    const end = Math.min(d / 2, start + Math.max(12, r * 0.6));
    g.lineStyle(2.5, OKABE_ITO.yellow, alpha);
    g.lineBetween(p.x + ux * start, p.y + uy * start, p.x + ux * end, p.y + uy * end);
    const tip = { x: p.x + ux * end, y: p.y + uy * end };
    g.fillStyle(OKABE_ITO.yellow, alpha);
    g.fillTriangle(tip.x + ux * 5, tip.y + uy * 5, tip.x - uy * 4, tip.y + ux * 4, tip.x + uy * 4, tip.y - ux * 4);
  }

  private updateMessages(picture: Picture): void {
    const bridge = bridgeOf(this);
    const { dropped, duplicates } = bridge.effects();
    const diff = diffInFlight(this.shown, picture.messages, picture.tick, dropped, duplicates);
    // Only what came right after the last picture shows what happened in between: after a replay's
    // seek, a message no longer in flight was not lost on the way, and a new one is no copy.
    const step = picture.replayStep ?? null;
    const follows = followsOn(this.shownStep, step);
    this.shownStep = step;
    this.selectedMessage = null;
    if (follows) {
      for (const id of diff.vanished) {
        const s = this.pool.get(id);
        if (s) this.vanish(s);
      }
    }
    this.pool.releaseExcept(new Set(picture.messages.map((m) => m.id)));
    for (const m of picture.messages) {
      const { item } = this.pool.acquire(m.id);
      const style = styleOf(m.kind, picture.protocol);
      const key = textureKey(style.shape, style.colour);
      if (item.texture !== key || item.selected !== m.selected) {
        item.dot.setFrame(dotFrame(key, m.selected));
        item.texture = key;
        item.selected = m.selected;
      }
      item.dot.setVisible(true);
      item.text = m.label ?? '';
      if (m.selected) this.selectedMessage = m.id;
    }
    // A full label atlas is cleared and filled again with the labels of the messages now in flight.
    if (!this.assignLabels(picture.messages)) {
      this.labels.clear();
      this.assignLabels(picture.messages);
    }
    this.labels.flush();
    // Drawn after this frame places the copy, so the fork joins the two real positions.
    this.pendingForks = follows ? diff.forks : new Map();
    this.shown = picture.messages;
  }

  /**
   * Gives each message its label's frame (a selected message's in the highlight colour, a frame of
   * its own); false when the atlas filled up on the way. Whether a label shows is decided every
   * frame, by where it is (see sieveLabels).
   */
  private assignLabels(messages: readonly MessagePicture[]): boolean {
    let fits = true;
    for (const m of messages) {
      const item = this.pool.get(m.id);
      if (!item) continue;
      const frame = m.label && fits ? this.labels.frame(m.label, m.selected ? HIGHLIGHT : TEXT) : null;
      if (m.label && !frame) fits = false;
      if (item.labelFrame !== frame) {
        if (frame) item.label.setFrame(frame.name);
        item.labelFrame = frame;
      }
      if (!frame && item.label.visible) item.label.setVisible(false);
    }
    return fits;
  }

  /** A dropped or lost message bursts and fades where it was. */
  private vanish(s: MessageSprite): void {
    const ghost = this.add.image(s.x, s.y, s.texture).setDepth(5).setScale(this.dotScale);
    const cross = this.add
      .text(s.x, s.y, '✕', { fontFamily: FONT, fontSize: '20px', color: '#d55e00', fontStyle: 'bold', resolution: this.ratio })
      .setOrigin(0.5)
      .setDepth(6);
    this.tweens.add({ targets: ghost, scale: 2.2 * this.dotScale, alpha: 0, duration: 700, onComplete: () => ghost.destroy() });
    this.tweens.add({ targets: cross, alpha: 0, y: s.y - 16, duration: 1100, onComplete: () => cross.destroy() });
  }

  /** A duplicated message splits in two: a line from the original to its copy, and a "×2". */
  private fork(original: MessageSprite, copy: MessageSprite): void {
    const line = this.add.graphics().setDepth(5);
    line.lineStyle(2, OKABE_ITO.purple, 1);
    line.lineBetween(original.x, original.y, copy.x + 6, copy.y + 6);
    const tag = this.add
      .text(original.x + 10, original.y + 4, '×2', { fontFamily: FONT, fontSize: '13px', color: '#cc79a7', fontStyle: 'bold', resolution: this.ratio })
      .setDepth(6);
    this.tweens.add({ targets: [line, tag], alpha: 0, duration: 1400, onComplete: () => (line.destroy(), tag.destroy()) });
  }
}
