/** The canvas's font family, and the widths of texts in it as a 2D canvas measures them. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';

/** Widths of label lines as the canvas draws them, measured once per text and font size. */
export class TextWidths {
  private readonly context = document.createElement('canvas').getContext('2d');
  private readonly known = new Map<string, number>();

  measure(text: string, fontSize: number): number {
    const key = `${fontSize}|${text}`;
    let width = this.known.get(key);
    if (width === undefined) {
      if (this.context) this.context.font = `${fontSize}px ${FONT}`;
      width = Math.ceil(this.context ? this.context.measureText(text).width : text.length * fontSize * 0.6);
      if (this.known.size > 2000) this.known.clear();
      this.known.set(key, width);
    }
    return width;
  }
}
