/**
 * A process that exports a cut, for the kill test: `cut-child OUT FILE COUNT` joins FILE to itself
 * COUNT times into OUT and prints `{"fraction":…}` lines as it writes, then `{"done":…}`.
 */
import { cutTakes } from '../../main/services/storyboard/cut';

const [out, file, count] = process.argv.slice(2);
const inputs = Array.from({ length: Number(count) }, (_, i) => ({ path: file, label: `Shot ${i + 1}` }));
const result = await cutTakes(inputs, out, { onProgress: (fraction) => console.log(JSON.stringify({ fraction })) });
console.log(JSON.stringify({ done: result }));
