import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum EventsErrorCode {
  EndpointNotFound = 'WEBHOOK_ENDPOINT_NOT_FOUND',
  EndpointUrlRefused = 'WEBHOOK_ENDPOINT_URL_REFUSED',
  UnknownEventType = 'WEBHOOK_UNKNOWN_EVENT_TYPE',
  DeliveryNotFound = 'WEBHOOK_DELIVERY_NOT_FOUND',
  EndpointDisabled = 'WEBHOOK_ENDPOINT_DISABLED',
}

export class EventsException extends DomainException {
  static endpointNotFound = (id: string) => new EventsException(EventsErrorCode.EndpointNotFound, `webhook endpoint ${id} not found`, ErrorKind.NotFound);
  /** `details.reason` says why in a word a client can translate: not_a_url, scheme, credentials, https_required, private_address. */
  static urlRefused = (problem: { reason: string; message: string }) =>
    new EventsException(EventsErrorCode.EndpointUrlRefused, `url ${problem.message}`, ErrorKind.Invalid, undefined, { reason: problem.reason });
  static endpointDisabled = (id: string) =>
    new EventsException(EventsErrorCode.EndpointDisabled, `webhook endpoint ${id} is disabled: enable it to send deliveries`, ErrorKind.Conflict);
  static unknownEventTypes = (types: string[]) =>
    new EventsException(EventsErrorCode.UnknownEventType, `eventTypes has unknown types: ${types.join(', ')} (see GET /api/docs/events.json)`, ErrorKind.Invalid);
  static deliveryNotFound = (endpointId: string, id: string) =>
    new EventsException(EventsErrorCode.DeliveryNotFound, `delivery ${id} of webhook endpoint ${endpointId} not found`, ErrorKind.NotFound);
}
