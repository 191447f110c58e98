/** Where the chart's times are read: the browser's locale and zone, as every other time of the console (ui.tsx LOCAL_TIME); a test names them. */
export interface TimeSetting {
  locale?: string;
  timeZone?: string;
}

function formats({ locale, timeZone }: TimeSetting) {
  return {
    hour: new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }),
    day: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone }),
    full: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
  };
}

const BROWSER = formats({});
const DAY_SECONDS = 86_400;

/**
 * The labels of the chart's time axis (uPlot `values`: seconds since the epoch, and the
 * step between ticks). uPlot's own are American whatever the browser (`6pm`, `12/3` for
 * the 3rd of December, which a European reads as the 12th of March), beside tables in
 * the browser's own form: here the hour in that form, with the date under the first tick
 * and under each that starts a day; ticks a day or more apart the date alone.
 */
export function timeTicks(splits: number[], stepSeconds: number, setting?: TimeSetting): string[] {
  const { hour, day } = setting ? formats(setting) : BROWSER;
  let lastDay = '';
  return splits.map((seconds) => {
    const at = new Date(seconds * 1000);
    const date = day.format(at);
    const starts = date !== lastDay;
    lastDay = date;
    if (stepSeconds >= DAY_SECONDS) return date;
    return starts ? `${hour.format(at)}\n${date}` : hour.format(at);
  });
}

/** The hour a legend names: its date and time in the browser's form. */
export function legendTime(seconds: number | null, setting?: TimeSetting): string {
  if (seconds === null) return '—';
  return (setting ? formats(setting) : BROWSER).full.format(new Date(seconds * 1000));
}
