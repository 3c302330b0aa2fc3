// Provider logs in go-plugin's format: one JSON object per line on stderr, which Terraform
// reads and shows under its own log level (TF_LOG=debug, TF_LOG_PROVIDER=trace ...). Never log
// secrets: whatever is written here ends up in users' log files.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  trace(message: string, fields?: Readonly<Record<string, unknown>>): void;
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A logger writing hclog JSON lines (`@level`, `@message`, `@module`, `@timestamp`) to `stream`. */
export function createLogger(module: string, stream: NodeJS.WritableStream = process.stderr): Logger {
  const log = (level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}) => {
    // go-plugin parses @timestamp with microseconds ("2006-01-02T15:04:05.000000Z07:00") or shows the raw line.
    const timestamp = new Date().toISOString().replace(/Z$/, '000Z');
    const line = { '@level': level, '@message': message, '@module': module, '@timestamp': timestamp, ...fields };
    stream.write(`${JSON.stringify(line, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`);
  };
  return {
    log,
    trace: (m, f) => log('trace', m, f),
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
