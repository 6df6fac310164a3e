/** A clock that stands still until a test moves it. */
import type { Clock } from '../../src/util/time.ts';

export class ManualClock implements Clock {
  private t: number;
  constructor(start: string | number = '2026-03-02T08:00:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: string | number): void {
    this.t = typeof at === 'number' ? at : Date.parse(at);
  }
}
