/**
 * The database's schema history. Migration N brings a database from `user_version` N-1 to N.
 * Never edit a migration that has shipped; add the next number.
 */
import jobs from './001-jobs';
import search from './002-search';
import cost from './003-cost';
import storyboards from './004-storyboards';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'jobs', sql: jobs },
  { version: 2, name: 'search', sql: search },
  { version: 3, name: 'cost', sql: cost },
  { version: 4, name: 'storyboards', sql: storyboards },
];
