/**
 * The official Microsoft Graph JavaScript client pointed at a local
 * Provisio. Its AuthenticationHandler only signs https Graph hosts, so a
 * small middleware adds the bearer token instead.
 */
import { Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

class BearerMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly token: () => Promise<string>) {}
  async execute(context: Context): Promise<void> {
    const token = await this.token();
    const options = (context.options ??= {});
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${token}`);
    options.headers = Object.fromEntries(headers.entries());
    await this.next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function graphClient(baseUrl: string, token: () => Promise<string>): Client {
  const auth = new BearerMiddleware(token);
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: auth, baseUrl: `${baseUrl}/`, defaultVersion: 'v1.0' });
}
