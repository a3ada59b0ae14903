'use strict';
/**
 * A bench's command-line options, read strictly (node:util parseArgs): an unknown option or a missing
 * value is refused with the usage (exit 2), and `--help` / `-h` prints the usage (exit 0), before
 * anything starts (issue 14's trial: `--help` and a mistyped `--gateway` started the whole default
 * matrix of bench:scale, two 20 000-gateway cases included).
 *
 * @param {Record<string, {type: 'string' | 'boolean', short?: string}>} options without `help`
 * @param {string} usage printed on `--help` and after an error
 * @returns {Record<string, string | boolean | undefined>} the values given
 */
function readOptions(options, usage) {
  let values;
  try {
    values = require('node:util').parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`error: ${error.message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

module.exports = { readOptions };
