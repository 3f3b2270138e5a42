import { Injectable } from '@nestjs/common';
import { CallBoxErrorRenderer } from './callbox-error.renderer';
import type { ErrorRenderer } from './error-renderer';
import { isUnder, routeOf } from './route-of';

/**
 * Which error body a request gets, by the route it matched (see routeOf): each API family
 * registers its prefix; the CallBox body is the default.
 */
@Injectable()
export class ErrorFamilies {
  private readonly families: Array<{ prefix: string; renderer: ErrorRenderer }> = [];
  private readonly fallback = new CallBoxErrorRenderer();

  register(prefix: string, renderer: ErrorRenderer): void {
    this.families.push({ prefix, renderer });
  }

  rendererFor(request: { url: string; routeOptions?: { url?: string } }): ErrorRenderer {
    const route = routeOf(request);
    return this.families.find((family) => isUnder(route, family.prefix))?.renderer ?? this.fallback;
  }
}
