/**
 * The Create screen as a test sees it: slots found by their labels, and frames delivered the way a
 * browser delivers them (a real DataTransfer in a drop or paste event), so the bytes path is the one
 * exercised.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

export interface FileSpec {
  name: string;
  type: string;
  data: Buffer;
}

const asTransferable = (files: FileSpec[]) =>
  files.map((file) => ({ name: file.name, type: file.type, base64: file.data.toString('base64') }));

export class CreatePage {
  constructor(readonly page: Page) {}

  slot(role: 'start' | 'end'): Locator {
    return this.page.getByRole('region', { name: role === 'start' ? 'Start frame' : 'End frame' });
  }

  stage(role: 'start' | 'end'): Locator {
    return this.slot(role).getByRole('button', { name: /choose a file, or drop or paste/ });
  }

  checks(role: 'start' | 'end'): Locator {
    return this.slot(role).getByRole('list', { name: /checks/ });
  }

  get submit(): Locator {
    return this.page.getByRole('button', { name: /Make video/ });
  }

  get reason(): Locator {
    return this.page.locator('#submit-reason');
  }

  get prompt(): Locator {
    return this.page.getByRole('textbox', { name: 'Prompt' });
  }

  async drop(role: 'start' | 'end', files: FileSpec[]): Promise<void> {
    await test.step(`drop ${files.map((f) => f.name).join(', ')} on the ${role} frame`, async () => {
      await this.stage(role).evaluate((target, specs) => {
        const transfer = new DataTransfer();
        for (const spec of specs) {
          const text = atob(spec.base64);
          const bytes = new Uint8Array(text.length);
          for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // a plain loop: 10 MB in ms, not seconds
          transfer.items.add(new File([bytes], spec.name, { type: spec.type }));
        }
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }
      }, asTransferable(files));
    });
  }

  async paste(role: 'start' | 'end', files: FileSpec[]): Promise<void> {
    await test.step(`paste ${files.map((f) => f.name).join(', ')} into the ${role} frame`, async () => {
      await this.stage(role).focus();
      await this.page.evaluate((specs) => {
        const transfer = new DataTransfer();
        for (const spec of specs) {
          const text = atob(spec.base64);
          const bytes = new Uint8Array(text.length);
          for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // a plain loop: 10 MB in ms, not seconds
          transfer.items.add(new File([bytes], spec.name, { type: spec.type }));
        }
        document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }));
      }, asTransferable(files));
    });
  }

  async expectVerdict(role: 'start' | 'end', verdict: 'ready' | 'failing'): Promise<void> {
    const status = this.slot(role).getByText('Meets every limit');
    if (verdict === 'ready') await expect(status).toBeVisible();
    else
      await expect(
        this.checks(role)
          .getByRole('listitem', { name: /^Fail:/ })
          .first(),
      ).toBeVisible();
  }
}
