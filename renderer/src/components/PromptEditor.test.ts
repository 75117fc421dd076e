import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import PromptEditor from './PromptEditor.svelte';

function setup(value = '') {
  const view = render(PromptEditor, { props: { value } });
  const textarea = screen.getByRole('textbox', { name: 'Prompt' }) as HTMLTextAreaElement;
  return { view, textarea };
}

describe('PromptEditor', () => {
  it('inserts @Image1 at the caret, with spaces around it', async () => {
    const { textarea } = setup('Walk from to the door');
    textarea.setSelectionRange(10, 10);
    await fireEvent.click(screen.getByRole('button', { name: /@Image1/ }));
    expect(textarea.value).toBe('Walk from @Image1 to the door');
    expect(textarea.selectionStart).toBe('Walk from @Image1 '.length);
  });

  it('inserts @Image2 with Alt+2 and replaces a selection', async () => {
    const { textarea } = setup('From @Image1 to HERE');
    textarea.setSelectionRange(16, 20);
    await fireEvent.keyDown(textarea, { key: '2', altKey: true });
    expect(textarea.value).toBe('From @Image1 to @Image2 ');
  });

  it('paints each token as a chip for its frame', async () => {
    const { view } = setup('Glide from @Image1 to @Image2, not @Image12');
    const marks = [...view.container.querySelectorAll('mark')].map((mark) => [mark.className.split(' ')[0], mark.textContent]);
    expect(marks).toEqual([
      ['start', '@Image1'],
      ['end', '@Image2'],
    ]);
  });

  it('shows the model’s own help and a character count', () => {
    setup('abc');
    expect(screen.getByText('Use @Image1 to reference the start frame, @Image2 to reference the end frame.')).toBeTruthy();
    expect(screen.getByText('3 characters')).toBeTruthy();
  });
});
