/**
 * The class report on the instructor's dashboard: downloads as CSV or JSON (fetched with the
 * instructor key, saved through a Blob and an <a download>), and charts of it, drawn again whenever
 * a round ends.
 */
import type { ClassReportDocument } from '../../../shared/results/report';
import type { RevealMessage } from '../../../shared/wire/messages';
import type { App } from '../app';
import { h, toast } from './dom';

export type ReportFormat = 'csv' | 'json';

/** The file a download is saved as: the server's CSV name, and its like for JSON. */
export function reportFileName(code: string, format: ReportFormat): string {
  return `quorum-${code}-report.${format}`;
}

/** Fetches the class report; throws an error that says what went wrong, in the server's words when it gave some. */
export async function fetchReport(base: string, code: string, key: string, format: ReportFormat): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/classes/${encodeURIComponent(code)}/report?format=${format}`, { headers: { 'x-instructor-key': key } });
  } catch {
    throw new Error('The server could not be reached: check the connection and try again.');
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  throw new Error(body?.error ?? `The server answered ${response.status}.`);
}

/** Offers `blob` as a file to save, as a link with `download` does. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the file over; the browser may still be reading it, so let it go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export class ReportPanel {
  readonly element: HTMLElement;
  private readonly error = h('p', { class: 'error', id: 'report-error', role: 'alert' });
  private readonly charts = h('div', { id: 'report-charts', class: 'charts' });
  private readonly buttons: HTMLButtonElement[];
  /** The class and the reveal the charts were last drawn for. */
  private drawnFor: { code: string; reveal: RevealMessage | null } | null = null;
  /** Counts refreshes, so that a slow answer does not draw over a newer one. */
  private refreshes = 0;

  constructor(
    private readonly app: App,
    private readonly base = '',
  ) {
    this.buttons = (['csv', 'json'] as const).map((format) =>
      h('button', { type: 'button', id: `report-${format}`, onclick: () => void this.download(format) }, `Download report (${format.toUpperCase()})`),
    );
    this.element = h(
      'section',
      { 'aria-labelledby': 'report-title', id: 'class-report' },
      h('h3', { id: 'report-title' }, 'Class report'),
      h('p', { class: 'hint' }, 'Every student over every round and group so far: moves, refusals by rule, time to answer.'),
      h('div', { class: 'row', role: 'group', 'aria-label': 'Download the class report' }, ...this.buttons),
      this.error,
      this.charts,
    );
  }

  /** Shown in a class only; the charts are fetched again when the class changes and whenever a round ends. */
  update(): void {
    const code = this.app.classCode;
    this.element.hidden = code === null || this.app.instructorKey === null;
    if (this.element.hidden || code === null) return;
    const reveal = this.app.reveal;
    if (this.drawnFor?.code === code && (reveal === null || this.drawnFor.reveal === reveal)) return;
    this.drawnFor = { code, reveal };
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const code = this.app.classCode;
    const key = this.app.instructorKey;
    if (code === null || key === null) return;
    const refresh = ++this.refreshes;
    try {
      // The charts load with the first report: students never need them.
      const [response, charts] = await Promise.all([fetchReport(this.base, code, key, 'json'), import('../charts')]);
      const report = (await response.json()) as ClassReportDocument;
      if (refresh !== this.refreshes) return;
      const { answerTimesChart, groupOutcomesChart, refusalsChart } = charts;
      this.showError('');
      this.charts.innerHTML =
        report.rounds === 0
          ? '<p class="muted">The charts appear once a round has ended.</p>'
          : [refusalsChart(report), answerTimesChart(report), groupOutcomesChart(report)].join('');
    } catch (error) {
      if (refresh === this.refreshes) this.showError(`The class report could not be loaded: ${(error as Error).message}`);
    }
  }

  async download(format: ReportFormat): Promise<void> {
    const code = this.app.classCode;
    const key = this.app.instructorKey;
    if (code === null || key === null) return;
    for (const button of this.buttons) button.disabled = true;
    try {
      const response = await fetchReport(this.base, code, key, format);
      saveFile(await response.blob(), reportFileName(code, format));
      this.showError('');
    } catch (error) {
      const text = `The report could not be downloaded: ${(error as Error).message}`;
      this.showError(text);
      toast(text);
    } finally {
      for (const button of this.buttons) button.disabled = false;
    }
  }

  private showError(text: string): void {
    this.error.textContent = text;
  }
}
