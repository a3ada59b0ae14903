import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * How each license's text (as spdx.org/licenses gives it) starts and what only it says, by SPDX id: the
 * LICENSE file must be the license package.json names, not only carry its name.
 */
const TEXTS: Readonly<Record<string, { readonly title: RegExp; readonly says: string }>> = {
  MIT: {
    title: /^MIT License$/,
    says: 'Permission is hereby granted, free of charge, to any person obtaining a copy',
  },
  'Apache-2.0': { title: /^\s*Apache License$/, says: 'Version 2.0, January 2004' },
  'BSD-3-Clause': { title: /^BSD 3-Clause License$/, says: 'Neither the name of the copyright holder' },
  ISC: { title: /^ISC License$/, says: 'Permission to use, copy, modify, and/or distribute this software' },
};

describe('LICENSE', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license?: string };
  const text = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');

  it("is the license package.json names (its SPDX id), in that license's own words", () => {
    const expected = TEXTS[manifest.license ?? ''];
    expect([manifest.license, expected !== undefined]).toEqual([manifest.license, true]);
    expect(text.split('\n')[0]).toMatch(expected!.title);
    expect(text.replace(/\s+/g, ' ')).toContain(expected!.says);
    // No other license's text is in it.
    for (const [id, other] of Object.entries(TEXTS)) {
      if (id !== manifest.license) expect([id, text.includes(other.says)]).toEqual([id, false]);
    }
  });

  it('names the year and the holders', () => {
    expect(text).toMatch(/^Copyright \(c\) 20\d\d appgw-insights contributors$/m);
  });
});
