/** The class's results: a round's scoreboard, the class report, the groups compared, and who holds up their group. */
export { commitPointsOf } from './commitPoints';
export { playedRoundOf, holderAt, type PlayedRound, type SeatHolder } from './record';
export { scoreRound, byUnderstanding, type PlayerScore, type RoundScoreboard, type RoundResult, type ScoredCommitPoint } from './scoreboard';
export { classReport, classReportDocument, reportLineOf, classReportCsv, csvField, type ClassReport, type ClassReportDocument, type ClassReportRow, type ReportedRound } from './report';
export { compareGroups, groupsWords } from './compare';
export { holdUps, HOLD_UP_TICKS, type HoldUp } from './holdUps';
