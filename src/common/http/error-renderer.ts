/** Turns anything thrown into one API family's status and error body. */
export interface ErrorRenderer {
  render(exception: unknown, request: { method: string; url: string; id: string }): { status: number; body: unknown };
}
