import { accuracyTable, type AccuracyReport } from '../../core/report/index.js';
import { context, section, type SlackMessage } from './blocks.js';
import { codeBlock, slackDate } from './mrkdwn.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';

// `/diagnose accuracy`: the same table `diagbot accuracy` prints, for the person who asked.

export function renderAccuracy(r: AccuracyReport, sinceText: string): SlackMessage {
  const answered = r.categories.reduce((n, c) => n + c.confirmed + c.corrected, 0);
  const head = `*diagbot's accuracy here* since ${slackDate(r.since)} (${sinceText}): ${answered} ${answered === 1 ? 'answer' : 'answers'} on the findings`;
  return fitToSlackLimits({
    text: `diagbot accuracy since ${r.since.slice(0, 10)}: ${answered} answers`,
    blocks: [
      section(`${head}\n${codeBlock(accuracyTable(r).join('\n'))}`),
      context('Answers come from the *Right cause* / *Wrong cause → …* row under each finding; precision = confirmed / (confirmed + corrected). '
        + 'The same as `diagbot accuracy --format json`.'),
    ],
  });
}
