/** From a take in the Queue or the Library to its board in the Storyboard place, with its shot in view. */
import type { TakeOf } from '$contract';
import { library } from './library.svelte';
import { navigation } from './navigation.svelte';
import { storyboards } from './storyboard.svelte';

export async function openTakeInBoard(take: TakeOf): Promise<void> {
  const board = take.storyboard;
  if (!board) return;
  library.close();
  if (storyboards.openId !== board.id) {
    storyboards.close(); // saves prompts typed on another board
    navigation.go('storyboard');
    await storyboards.open(board.id, take.shot);
  } else {
    navigation.go('storyboard');
    storyboards.showShot(take.shot);
  }
}
