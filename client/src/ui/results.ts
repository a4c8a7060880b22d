/**
 * A student's "your results" panel between rounds: the groups compared, and their own line of the
 * class report (their moves, refusals by rule, time to answer). Nobody else's line ever reaches them.
 */
import type { App } from '../app';
import { reportLineItems } from '../results';
import { h, replaceChildren } from './dom';

export function renderYourResults(app: App, root: HTMLElement): void {
  const phase = app.round?.phase;
  // While a round runs the student plays; the results wait for its end.
  const show = app.role === 'student' && (app.comparison !== null || app.reportLine !== null) && phase !== 'running' && phase !== 'paused';
  root.hidden = !show;
  if (!show) {
    replaceChildren(root);
    return;
  }
  const comparison = app.comparison;
  const line = app.reportLine;
  replaceChildren(
    root,
    h('h2', { id: 'results-title' }, 'Your results'),
    comparison && comparison.sentences.length > 0
      ? h('div', { id: 'comparison' }, h('h3', {}, 'The groups compared'), ...comparison.sentences.map((t) => h('p', {}, t)))
      : null,
    line
      ? h(
          'dl',
          { id: 'report-line', class: 'results' },
          ...reportLineItems(line, app.round?.protocol ?? null).flatMap((item) => [h('dt', {}, item.label), h('dd', {}, item.value)]),
        )
      : null,
  );
}
