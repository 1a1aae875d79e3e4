import { offHoursSignal } from './off-hours.signal';
import { signalContext } from './signal.mock';

const OPTIONS = { minUsualIps: 3, gapHours: 3 };
const USUAL = ['115.192.1.1', '115.192.1.2', '115.192.1.3'];
const WORKDAY = [9, 12, 17].map((hour) => Date.UTC(2026, 2, 9, hour, 15));

describe(offHoursSignal.name, () => {
  it('fires when the hour is far from every usual last activity', () => {
    const sut = offHoursSignal(
      signalContext('45.55.1.1', USUAL, { time: Date.UTC(2026, 2, 10, 2, 40), lastSeen: WORKDAY }),
      OPTIONS,
    );

    expect(sut).toEqual({
      signal: 'offHours',
      reason: "off-hours: 02h UTC is 7 h from any usual IP's last activity",
    });
  });

  it('stays quiet within the gap', () => {
    const sut = offHoursSignal(
      signalContext('45.55.1.1', USUAL, { time: Date.UTC(2026, 2, 10, 20, 0), lastSeen: WORKDAY }),
      OPTIONS,
    );

    expect(sut).toBeNull();
  });

  it('measures the distance around midnight', () => {
    const lastSeen = [23, 23, 22].map((hour) => Date.UTC(2026, 2, 9, hour));
    const sut = offHoursSignal(
      signalContext('2a01:4f8::1', USUAL, { time: Date.UTC(2026, 2, 10, 1, 0), lastSeen }),
      OPTIONS,
    );

    expect(sut).toBeNull();
  });

  it('needs enough usual IPs to say anything', () => {
    const sut = offHoursSignal(
      signalContext('45.55.1.1', USUAL.slice(0, 2), {
        time: Date.UTC(2026, 2, 10, 2, 0),
        lastSeen: WORKDAY,
      }),
      OPTIONS,
    );

    expect(sut).toBeNull();
  });
});
