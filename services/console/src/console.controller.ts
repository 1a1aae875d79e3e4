import { Controller, Get, Header, Param, Query } from '@nestjs/common';

import { CONSOLE_ASSETS, ConsoleApi } from '@trail-insight/console-web';

import type {
  ConsoleInfo,
  InsightDetail,
  InsightListing,
  ManagementEventPage,
  RawQuery,
} from '@trail-insight/console-web';

const page = (path: string): string => (CONSOLE_ASSETS[path] as { body: string }).body;

/** The page, its assets and the query API of SPEC §6; all logic is in @trail-insight/console-web. */
@Controller()
export class ConsoleController {
  constructor(private readonly api: ConsoleApi) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): string {
    return page('/');
  }

  @Get('console.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return page('/console.js');
  }

  @Get('console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): string {
    return page('/console.css');
  }

  @Get('api/info')
  info(): ConsoleInfo {
    return this.api.info();
  }

  @Get('api/insights')
  list(@Query() query: RawQuery): Promise<InsightListing> {
    return this.api.listInsights(query);
  }

  @Get('api/insights/:id')
  detail(@Param('id') id: string): Promise<InsightDetail> {
    return this.api.getInsight(id);
  }

  @Get('api/insights/:id/events')
  events(@Param('id') id: string, @Query() query: RawQuery): Promise<ManagementEventPage> {
    return this.api.insightEvents(id, query);
  }

  @Get('api/ips/:ip/insights')
  ipInsights(@Param('ip') ip: string, @Query() query: RawQuery): Promise<InsightListing> {
    return this.api.ipInsights(ip, query);
  }
}
