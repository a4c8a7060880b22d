import * as Phaser from 'phaser';
import { OKABE_ITO, diffInFlight, linkCut, links, messagePosition, nodeRadius, pick, ringPositions, styleOf, type Point } from '../layout';
import type { MessagePicture, NodePicture, Picture } from '../picture';
import { KeyedPool } from '../pool';
import { LabelAtlas, SELECTED_SCALE, dotAtlas, dotFrame, type AtlasFrame } from './atlas';
import { bridgeOf } from './scenes';
import { DOT_RADIUS, textureKey } from './textures';

interface MessageSprite {
  /**
   * Bobs of the scene's two blitters, the dots' and the labels' above them: a blitter draws hundreds
   * of frames of one texture without a game object, a transform and a saved canvas state for each.
   */
  dot: Phaser.GameObjects.Bob;
  label: Phaser.GameObjects.Bob;
  /** The dot's style, which also names its own texture (for the burst of a vanishing message). */
  texture: string;
  /** Whether the dot shows the bigger, selected frame. */
  selected: boolean;
  labelFrame: AtlasFrame | null;
  x: number;
  y: number;
}

interface NodeSprite {
  ring: Phaser.GameObjects.Graphics;
  name: Phaser.GameObjects.Text;
  info: Phaser.GameObjects.Text;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
const TEXT = '#e8ecf3';
const MUTED = '#9aa3b2';
/** Half a dot frame's side: shapes are drawn DOT_RADIUS round with room for their outline. */
const HALF_DOT = DOT_RADIUS + 2;

/** The round: nodes on a ring, links (cut ones marked), messages gliding along them. */
export class RoundScene extends Phaser.Scene {
  private linksGfx!: Phaser.GameObjects.Graphics;
  private nodes: NodeSprite[] = [];
  private pool!: KeyedPool<MessageSprite>;
  private labels!: LabelAtlas;
  private version = -1;
  private size = '';
  private positions: Point[] = [];
  private radius = 20;
  private shown: MessagePicture[] = [];
  private pulse = 0;
  private pendingForks = new Map<number, number>();

  constructor() {
    super('Round');
  }

  create(): void {
    this.linksGfx = this.add.graphics().setDepth(0);
    const dots = this.add.blitter(0, 0, dotAtlas(this.textures)).setDepth(2);
    this.labels = new LabelAtlas(this.textures, 'msg-labels', { font: `11px ${FONT}`, stroke: '#1b1f27', strokeThickness: 3 });
    const labels = this.add.blitter(0, 0, this.labels.key).setDepth(3);
    this.pool = new KeyedPool<MessageSprite>(
      () => ({
        dot: dots.create(0, 0, dotFrame(textureKey('circle', OKABE_ITO.grey), false), false),
        label: labels.create(0, 0, '__BASE', false),
        texture: '',
        selected: false,
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
    this.version = -1;
  }

  private clicked(pointer: Phaser.Input.Pointer): void {
    const at = { x: pointer.x, y: pointer.y };
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
    const size = `${this.scale.width}x${this.scale.height}x${picture.nodes.length}`;
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
    for (const m of picture.messages) {
      const sprite = this.pool.get(m.id);
      const from = this.positions[m.from];
      const to = this.positions[m.to];
      if (!sprite || !from || !to) continue;
      const p = messagePosition(from, to, m.sentAt, m.deliverAt, now);
      sprite.x = p.x;
      sprite.y = p.y;
      // Bobs sit by their top-left corner, on whole pixels: a frame drawn between pixels is
      // resampled, which blurs its text and costs the canvas more than everything else here.
      const half = sprite.selected ? HALF_DOT * SELECTED_SCALE : HALF_DOT;
      sprite.dot.setPosition(Math.round(p.x - half), Math.round(p.y - half));
      const label = sprite.labelFrame;
      if (label) sprite.label.setPosition(Math.round(p.x - label.halfWidth), Math.round(p.y - DOT_RADIUS - 1 - label.height));
    }
    if (this.pendingForks.size > 0) {
      for (const [copy, original] of this.pendingForks) {
        const from = this.pool.get(original);
        const to = this.pool.get(copy);
        if (from && to) this.fork(from, to);
      }
      this.pendingForks = new Map();
    }
    const commit = picture.nodes.find((n) => n.commit);
    if (commit) this.nodes[commit.id]?.ring.setAlpha(0.75 + 0.25 * Math.sin(this.pulse / 250));
  }

  private layout(picture: Picture): void {
    const box = { width: this.scale.width, height: this.scale.height };
    this.positions = ringPositions(picture.nodes.length, box);
    this.radius = nodeRadius(picture.nodes.length, box);
    for (const n of this.nodes) {
      n.ring.destroy();
      n.name.destroy();
      n.info.destroy();
    }
    const centre = { x: box.width / 2, y: box.height / 2 };
    const small = Math.min(box.width, box.height) < 480;
    this.nodes = this.positions.map((p) => {
      const dx = p.x - centre.x;
      const dy = p.y - centre.y;
      const len = Math.hypot(dx, dy) || 1;
      const [ux, uy] = [dx / len, dy / len];
      const info = this.add
        .text(p.x + ux * (this.radius + 8), p.y + uy * (this.radius + 8), '', {
          fontFamily: FONT,
          fontSize: small ? '11px' : '13px',
          color: MUTED,
          align: Math.abs(ux) < 0.3 ? 'center' : ux > 0 ? 'left' : 'right',
          lineSpacing: 1,
        })
        .setOrigin(0.5 - 0.5 * Math.sign(Math.round(ux * 3) / 3), 0.5 - 0.5 * Math.sign(Math.round(uy * 3) / 3))
        .setDepth(4);
      return {
        ring: this.add.graphics().setDepth(1),
        name: this.add
          .text(p.x, p.y, '', { fontFamily: FONT, fontSize: `${Math.round(Math.max(14, this.radius * 0.75))}px`, color: TEXT, fontStyle: 'bold' })
          .setOrigin(0.5)
          .setDepth(4),
        info,
      };
    });
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
    picture.nodes.forEach((n, i) => {
      const sprite = this.nodes[i];
      const p = this.positions[i];
      if (!sprite || !p) return;
      this.drawNode(sprite, p, n, picture);
    });
  }

  private drawNode(sprite: NodeSprite, p: Point, n: NodePicture, picture: Picture): void {
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
    const outline = n.selected ? OKABE_ITO.yellow : n.learned !== null ? OKABE_ITO.green : n.isSelf ? OKABE_ITO.skyBlue : 0x5b6578;
    g.lineStyle(n.selected || n.isSelf || n.learned !== null ? 4 : 2, outline, n.crashed ? 0.5 : 1);
    g.strokeCircle(p.x, p.y, r);
    if (n.crashed) {
      g.lineStyle(3, OKABE_ITO.vermillion, 0.8);
      g.lineBetween(p.x - r * 0.6, p.y - r * 0.6, p.x + r * 0.6, p.y + r * 0.6);
    }
    sprite.name.setText(n.name).setAlpha(n.crashed ? 0.5 : 1);
    const head = n.title !== n.name ? n.title.slice(n.name.length + 3) : '';
    // Every Paxos or majority node has the same role: only 2PC's roles are worth a line.
    const role = picture.protocol === '2pc' ? n.role : '';
    const lines = [head, n.isSelf ? (role ? `you · ${role}` : 'you') : role, ...n.summary].filter((l) => l !== '');
    if (n.commit) lines.unshift('★ commit point');
    // Phaser redraws a text on every setColor, even to the colour it already has.
    const colour = n.commit ? '#f0e442' : n.isSelf ? TEXT : MUTED;
    if (sprite.info.style.color !== colour) sprite.info.setColor(colour);
    sprite.info.setText(lines.join('\n')).setAlpha(n.crashed ? 0.6 : 1);
  }

  private updateMessages(picture: Picture): void {
    const bridge = bridgeOf(this);
    const { dropped, duplicates } = bridge.effects();
    const diff = diffInFlight(this.shown, picture.messages, picture.tick, dropped, duplicates);
    for (const id of diff.vanished) {
      const s = this.pool.get(id);
      if (s) this.vanish(s);
    }
    this.pool.releaseExcept(new Set(picture.messages.map((m) => m.id)));
    for (const m of picture.messages) {
      const { item } = this.pool.acquire(m.id);
      const style = styleOf(m.kind);
      const key = textureKey(style.shape, style.colour);
      if (item.texture !== key || item.selected !== m.selected) {
        item.dot.setFrame(dotFrame(key, m.selected));
        item.texture = key;
        item.selected = m.selected;
      }
      item.dot.setVisible(true);
    }
    // A full label atlas is cleared and filled again with the labels shown now.
    if (!this.assignLabels(picture.messages)) {
      this.labels.clear();
      this.assignLabels(picture.messages);
    }
    this.labels.flush();
    // Drawn after this frame places the copy, so the fork joins the two real positions.
    this.pendingForks = diff.forks;
    this.shown = picture.messages;
  }

  /** Gives each shown message its label's frame; false when the atlas filled up on the way. */
  private assignLabels(messages: readonly MessagePicture[]): boolean {
    let fits = true;
    for (const m of messages) {
      const item = this.pool.get(m.id);
      if (!item) continue;
      const frame = m.label && fits ? this.labels.frame(m.label, m.selected ? '#f0e442' : TEXT) : null;
      if (m.label && !frame) fits = false;
      if (item.labelFrame !== frame) {
        if (frame) item.label.setFrame(frame.name);
        item.labelFrame = frame;
      }
      item.label.setVisible(frame !== null);
    }
    return fits;
  }

  /** A dropped or lost message bursts and fades where it was. */
  private vanish(s: MessageSprite): void {
    const ghost = this.add.image(s.x, s.y, s.texture).setDepth(5);
    const cross = this.add
      .text(s.x, s.y, '✕', { fontFamily: FONT, fontSize: '20px', color: '#d55e00', fontStyle: 'bold' })
      .setOrigin(0.5)
      .setDepth(6);
    this.tweens.add({ targets: ghost, scale: 2.2, alpha: 0, duration: 700, onComplete: () => ghost.destroy() });
    this.tweens.add({ targets: cross, alpha: 0, y: s.y - 16, duration: 1100, onComplete: () => cross.destroy() });
  }

  /** A duplicated message splits in two: a line from the original to its copy, and a "×2". */
  private fork(original: MessageSprite, copy: MessageSprite): void {
    const line = this.add.graphics().setDepth(5);
    line.lineStyle(2, OKABE_ITO.purple, 1);
    line.lineBetween(original.x, original.y, copy.x + 6, copy.y + 6);
    const tag = this.add
      .text(original.x + 10, original.y + 4, '×2', { fontFamily: FONT, fontSize: '13px', color: '#cc79a7', fontStyle: 'bold' })
      .setDepth(6);
    this.tweens.add({ targets: [line, tag], alpha: 0, duration: 1400, onComplete: () => (line.destroy(), tag.destroy()) });
  }
}
