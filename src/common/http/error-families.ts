import { Injectable } from '@nestjs/common';
import { CallBoxErrorRenderer } from './callbox-error.renderer';
import type { ErrorRenderer } from './error-renderer';

/** Which error body a URL gets: each API family registers its prefix; the CallBox body is the default. */
@Injectable()
export class ErrorFamilies {
  private readonly families: Array<{ prefix: string; renderer: ErrorRenderer }> = [];
  private readonly fallback = new CallBoxErrorRenderer();

  register(prefix: string, renderer: ErrorRenderer): void {
    this.families.push({ prefix, renderer });
  }

  rendererFor(url: string): ErrorRenderer {
    return this.families.find((family) => url.startsWith(family.prefix))?.renderer ?? this.fallback;
  }
}
