import { config } from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import { en } from 'zod/locales';

/**
 * Every schema the app checks input with (the config, webhook receivers, the notify state document)
 * uses `zod/mini` (functional API, a fraction of classic zod's size and load time: bench/README.md),
 * imported as `import * as z from '…/core/input/zod'` so that a bundler keeps only what they use.
 * Unlike classic zod, `zod/mini` registers no locale, and its messages would all read "Invalid input";
 * this sets English, as classic zod does, unless a locale was chosen already.
 */
if (!globalConfig.localeError) config(en());

export * from 'zod/mini';
