// Another program holding the library's database: takes an exclusive write lock, says "locked",
// and lets go when it reads a line on stdin, or after argv[3] ms when given (the app's own process
// may be blocked in SQLite's busy wait meanwhile). Run with Node 24 (better-sqlite3).
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]);
db.exec('BEGIN EXCLUSIVE');
db.prepare("UPDATE jobs SET queue_position = queue_position WHERE id = 'none'").run();
process.stdout.write('locked\n');
const release = () => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
};
process.stdin.once('data', release);
if (process.argv[3]) setTimeout(release, Number(process.argv[3]));
