import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../common/config/app-config';
import { Public } from '../common/http/public.decorator';
import { asyncApiDocument } from './asyncapi';
import { EventsSettings } from './events.settings';

/** The events' schemas, for integrators: what RabbitMQ carries and webhooks POST. */
@ApiTags('events')
@Public()
@Controller('docs')
export class EventsController {
  private readonly document: Record<string, unknown>;

  constructor(config: AppConfig) {
    this.document = asyncApiDocument(config.section(EventsSettings).exchange, process.env.npm_package_version ?? '1.0.0');
  }

  @Get('events.json')
  @ApiOperation({ summary: 'The AsyncAPI 3 document of every event (its envelope, and each type\'s data with an example)' })
  @ApiOkResponse({ description: 'AsyncAPI 3.0.0 JSON', schema: { type: 'object', required: ['asyncapi', 'info', 'channels', 'operations', 'components'] } })
  events(): Record<string, unknown> {
    return this.document;
  }
}
