import { Catch, Inject, Injectable } from '@nestjs/common';
import { tap } from 'rxjs';

import { CONSOLE_SECURITY_HEADERS, ConsoleApiException } from '@trail-insight/console-web';
import { ROOT_LOGGER } from '@trail-insight/observability';

import type {
  ArgumentsHost,
  CallHandler,
  ExceptionFilter,
  ExecutionContext,
  NestInterceptor,
} from '@nestjs/common';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';

import { ConsoleMetrics } from './console.metrics';

/** The parts of Express' request and response used here (no @types/express in the workspace). */
interface Request {
  route?: { path?: string };
}
interface Response {
  statusCode: number;
  set(headers: Record<string, string>): unknown;
  status(code: number): { json(body: unknown): unknown };
}

function routeOf(request: Request): string {
  return request.route?.path ?? 'unmatched';
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** Security headers on every console response, and request metrics by route pattern. */
@Injectable()
export class ConsoleHttpInterceptor implements NestInterceptor {
  constructor(private readonly metrics: ConsoleMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    response.set(CONSOLE_SECURITY_HEADERS);
    const stop = this.metrics.duration.startTimer({ route: routeOf(request) });
    return next.handle().pipe(
      tap({
        next: () => {
          stop();
          this.metrics.requests.inc({
            route: routeOf(request),
            status: statusClass(response.statusCode),
          });
        },
        error: (error: unknown) => {
          stop();
          const status = error instanceof ConsoleApiException ? error.status : 500;
          this.metrics.requests.inc({ route: routeOf(request), status: statusClass(status) });
        },
      }),
    );
  }
}

/** Answers {@link ConsoleApiException}s with their status and JSON body; anything else is a 500. */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.set(CONSOLE_SECURITY_HEADERS);
    if (exception instanceof ConsoleApiException) {
      if (exception.status >= 500) {
        this.logger.warn({ err: exception.cause ?? exception }, exception.message);
      }
      response.status(exception.status).json(exception.toJSON());
      return;
    }
    const http = exception as { getStatus?: () => number; getResponse?: () => unknown };
    if (typeof http.getStatus === 'function' && typeof http.getResponse === 'function') {
      response.status(http.getStatus()).json(http.getResponse());
      return;
    }
    this.logger.error({ err: exception }, 'console request failed');
    response.status(500).json({ error: 'internal', message: 'internal error' });
  }
}
