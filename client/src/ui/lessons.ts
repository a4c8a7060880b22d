/**
 * The Learn path: the essay's lessons in order on the menu, with this browser's progress, and the
 * lesson panel beside a lesson's round (the idea, the objectives, hints when stuck, what the script
 * did and why, and the debrief at the end). Everything shown comes from the server's `lesson`
 * message; the path is `shared/lessons`' LESSON_PATH.
 */
import { LESSON_PATH } from '../../../shared/lessons';
import type { LessonMessage } from '../../../shared/wire/messages';
import type { App } from '../app';
import { h, replaceChildren } from './dom';
import { lessonsDone } from '../lessonProgress';
import type { LessonProgress } from '../groups';

/** The menu's Learn card: every place of the essay's path, playable ones as buttons. */
export function learnCard(app: App, done: Set<string> = lessonsDone()): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert', id: 'learn-error' });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'learn-title', id: 'learn' },
    h('h2', { id: 'learn-title' }, 'Learn'),
    h('p', {}, 'The essay, one idea at a time: each lesson is a round set up to make that idea felt, with a debrief of what you just did.'),
    h(
      'ol',
      { class: 'lesson-path' },
      ...LESSON_PATH.map((entry) =>
        h(
          'li',
          { 'data-lesson-number': entry.number },
          entry.lesson
            ? h(
                'button',
                {
                  type: 'button',
                  id: `lesson-${entry.lesson.id}`,
                  onclick: async () => {
                    error.textContent = '';
                    try {
                      await app.playLesson(entry.lesson!.id);
                    } catch (e) {
                      error.textContent = `The lesson could not start: ${(e as Error).message}`;
                    }
                  },
                },
                `${entry.number}. ${entry.title}`,
              )
            : h('span', { class: 'muted' }, `${entry.number}. ${entry.title} (coming later)`),
          entry.lesson ? h('span', { class: 'lesson-done', 'data-done': entry.lesson.id, 'aria-label': 'done', hidden: !done.has(entry.lesson.id) }, ' ✓') : null,
        ),
      ),
    ),
    error,
  );
}

/** Shows this browser's progress on the Learn card again: the menu is built once, and a lesson may end since. */
export function refreshLessonMarks(root: ParentNode, done: Set<string> = lessonsDone()): void {
  for (const mark of root.querySelectorAll<HTMLElement>('[data-done]')) mark.hidden = !done.has(mark.dataset.done ?? '');
}

/** The lesson panel beside the round: a player's (`student`, `solo`), or the group's as the instructor sees it. */
export function renderLesson(lesson: LessonMessage | null, root: HTMLElement, role: string | null = null): void {
  root.hidden = lesson === null;
  if (!lesson) {
    replaceChildren(root);
    return;
  }
  replaceChildren(
    root,
    h('h2', { id: 'lesson-title' }, `Lesson ${lesson.number}: ${lesson.title}`),
    h('p', { class: 'lesson-idea' }, lesson.idea),
    lesson.briefing ? h('p', { class: 'lesson-briefing', id: 'lesson-briefing' }, lesson.briefing) : null,
    lesson.waiting
      ? h(
          'p',
          { class: 'lesson-waiting', id: 'lesson-waiting', role: 'status' },
          role === 'instructor'
            ? 'This group has reached an objective: its clock stands until you press "Next step". Its students may still answer what is in their inbox.'
            : 'Your group has reached an objective: the clock stands until the instructor moves the class on. You may still answer what is in your inbox.',
        )
      : null,
    h(
      'ol',
      { class: 'objectives', id: 'lesson-objectives' },
      ...lesson.objectives.map((o, i) =>
        h('li', { class: o.reached ? 'reached' : i === lesson.current ? 'current' : '', 'data-reached': String(o.reached) }, o.reached ? `✓ ${o.title}` : o.title),
      ),
    ),
    lesson.hints.length > 0 ? h('div', { id: 'lesson-hints', role: 'status' }, h('h3', {}, 'Hint'), ...lesson.hints.map((t) => h('p', {}, t))) : null,
    lesson.deadEnd ? h('p', { class: 'error', id: 'lesson-dead-end' }, lesson.deadEnd) : null,
    lesson.narrative.length > 0
      ? h('div', { id: 'lesson-narrative' }, h('h3', {}, 'What happened, and why'), h('ul', {}, ...lesson.narrative.map((n) => h('li', {}, h('span', { class: 'muted' }, `t${n.tick} `), n.why))))
      : null,
    lesson.refusals.length > 0
      ? h('div', { id: 'lesson-refusals' }, h('h3', {}, 'Refused, and why'), h('ul', {}, ...lesson.refusals.map((r) => h('li', {}, h('span', { class: 'muted' }, `t${r.tick} `), r.why))))
      : null,
    lesson.debrief ? h('div', { id: 'lesson-debrief' }, h('h3', {}, 'Debrief'), ...lesson.debrief.map((t) => h('p', {}, t))) : null,
  );
}

/**
 * The class's way through its lesson, for the dashboard and the projector: the objectives numbered,
 * and a grid of groups × objectives with ✓ and the tick each was reached.
 */
export function lessonGrid(progress: LessonProgress, id: string): HTMLElement {
  return h(
    'section',
    { class: 'lesson-grid', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, `Lesson ${progress.number}: ${progress.title}`),
    h('ol', { class: 'lesson-grid-objectives' }, ...progress.objectives.map((t) => h('li', {}, t))),
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, 'Objectives reached, group by group'),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Group'), ...progress.objectives.map((t, i) => h('th', { scope: 'col', title: t }, String(i + 1))), h('th', { scope: 'col' }, '')),
      ),
      h(
        'tbody',
        {},
        ...progress.rows.map((row) =>
          h(
            'tr',
            { 'data-group': row.group, class: row.waiting ? 'waiting' : '' },
            h('th', { scope: 'row' }, `Group ${row.group}`),
            ...row.reached.map((tick, i) =>
              h(
                'td',
                { class: tick !== null ? 'reached' : i === row.current ? 'current' : '', 'data-objective': i + 1, 'aria-label': tick !== null ? `objective ${i + 1} reached at tick ${tick}` : `objective ${i + 1} not reached` },
                tick !== null ? `✓ t${tick}` : '·',
              ),
            ),
            h('td', { class: 'lesson-grid-state' }, row.state),
          ),
        ),
      ),
    ),
  );
}

/** A lesson's debrief, for the instructor's dashboard and the projector. */
export function debriefSection(lesson: LessonMessage | null, group: number | null, id: string): HTMLElement | null {
  if (!lesson?.debrief) return null;
  return h(
    'section',
    { class: 'lesson-debrief', id },
    h('h2', {}, group !== null ? `Debrief of group ${group}` : 'Debrief'),
    ...lesson.debrief.map((t) => h('p', {}, t)),
  );
}
