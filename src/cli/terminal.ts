// Whether output to a stream gets ANSI colour: only on a terminal, unless the user says
// otherwise with the de-facto standard variables (https://no-color.org, FORCE_COLOR).

/** The part of a writable stream this needs. */
export interface MaybeTty {
  readonly isTTY?: boolean;
}

/**
 * Colour decision for `stream`: FORCE_COLOR (any value but `0`/`false`) turns it on,
 * NO_COLOR (any non-empty value) off, TERM=dumb off; otherwise on exactly when `stream` is a TTY.
 */
export function useColor(stream: MaybeTty, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}
