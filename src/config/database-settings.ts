import type { DatabaseSettings } from './app-config';
import type { Environment, EnvironmentProblem } from './environment';

const PARTS = ['DATABASE_HOST', 'DATABASE_USER', 'DATABASE_PASSWORD', 'DATABASE_NAME'] as const;

/**
 * Where the database is: DATABASE_URL, or PostgreSQL by parts (DATABASE_HOST and the others), each
 * part percent-encoded into the URL, so any password works. `source` is the raw environment: the
 * URL has a default, and only a URL the operator set conflicts with the parts.
 */
export function databaseProblems(env: Environment, source: NodeJS.ProcessEnv): EnvironmentProblem[] {
  const byParts = PARTS.filter((name) => source[name] !== undefined && source[name] !== '');
  if (byParts.length > 0) {
    if (source.DATABASE_URL) {
      return [{ variable: 'DATABASE_URL', problems: [`set DATABASE_URL or ${byParts.join(', ')}, not both`] }];
    }
    const missing = (['DATABASE_HOST', 'DATABASE_USER', 'DATABASE_NAME'] as const).filter((name) => !env[name]);
    return missing.map((name) => ({ variable: name, problems: [`${name} is required when the database is given by parts (${byParts.join(', ')})`] }));
  }
  if (env.DATABASE_URL.startsWith('sqlite:')) return [];
  try {
    new URL(env.DATABASE_URL);
    return [];
  } catch {
    // Never the URL itself in the message: it holds the password.
    return [
      {
        variable: 'DATABASE_URL',
        problems: [
          'DATABASE_URL is not a valid URL: a password with / # ? @ : or % must be percent-encoded, or give DATABASE_HOST, DATABASE_USER, DATABASE_PASSWORD and DATABASE_NAME instead',
        ],
      },
    ];
  }
}

export function databaseSettings(env: Environment): DatabaseSettings {
  if (env.DATABASE_HOST) {
    const password = env.DATABASE_PASSWORD ? `:${encodeURIComponent(env.DATABASE_PASSWORD)}` : '';
    const host = env.DATABASE_HOST.includes(':') ? `[${env.DATABASE_HOST}]` : env.DATABASE_HOST;
    const url = `postgres://${encodeURIComponent(env.DATABASE_USER ?? '')}${password}@${host}:${env.DATABASE_PORT}/${encodeURIComponent(env.DATABASE_NAME ?? '')}`;
    return { engine: 'postgres', url, poolSize: env.DATABASE_POOL_SIZE };
  }
  return env.DATABASE_URL.startsWith('sqlite:')
    ? { engine: 'sqlite', path: env.DATABASE_URL.slice('sqlite:'.length) }
    : { engine: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
}

/** What the logs may say of the database: engine, host, port, name and user, never the password. */
export function describeDatabase(settings: DatabaseSettings): Record<string, string | number> {
  if (settings.engine === 'sqlite') return { engine: 'sqlite', path: settings.path };
  try {
    const url = new URL(settings.url);
    return {
      engine: 'postgres',
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
    };
  } catch {
    return { engine: 'postgres', host: '(unparsable DATABASE_URL)' };
  }
}
