import { describe, expect, it } from 'vitest';
import { acceptQuality, prefersHtml, prefersJson } from './negotiate.js';

describe('content negotiation', () => {
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('takes the q-value of the most specific matching range', () => {
    expect(acceptQuality(browser, 'text/html')).toBe(1);
    expect(acceptQuality(browser, 'application/json')).toBe(0.8);
    expect(acceptQuality('application/*;q=0.5, application/json;q=0.2', 'application/json')).toBe(0.2);
    expect(acceptQuality('text/plain', 'application/json')).toBe(0);
    expect(acceptQuality(null, 'text/html')).toBe(0);
    expect(acceptQuality('text/html;q=oops', 'text/html')).toBe(0);
  });

  it('tells a browser navigation from a fetch call, and leaves */* undecided', () => {
    expect(prefersHtml(browser)).toBe(true);
    expect(prefersJson(browser)).toBe(false);
    expect(prefersJson('application/json')).toBe(true);
    expect(prefersHtml('application/json, text/html;q=0.5')).toBe(false);
    for (const undecided of ['*/*', null]) {
      expect(prefersHtml(undecided)).toBe(false);
      expect(prefersJson(undecided)).toBe(false);
    }
  });
});
