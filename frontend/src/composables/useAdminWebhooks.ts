import { computed, reactive, ref, shallowRef } from 'vue';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resendWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../api/admin';
import { ApiError } from '../api/http';
import {
  ALL_WEBHOOK_EVENTS,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type CreatedWebhookEndpoint,
  type CreateWebhookEndpointRequest,
  type UpdateWebhookEndpointRequest,
  type WebhookDelivery,
  type WebhookDeliveryQuery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
  type WebhookEventType,
  type WebhookEventTypeChoice,
} from '../api/types';
import { isUserId } from './useAdminLedger';
import { useConfirmAction } from './useConfirmAction';
import { useLatestLoad } from './useLatestLoad';
import { usePagedList } from './usePagedList';

/** The API's limits (src/events/dto/webhook-endpoints.dto.ts). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;

/** The endpoint form as typed. */
export interface EndpointForm {
  url: string;
  description: string;
  /** Every event type ('*'), also types added later; the single types ticked are then not sent. */
  allEvents: boolean;
  eventTypes: WebhookEventType[];
}

/**
 * The refusals of the endpoint form whose server message says what to fix
 * (the unknown type, each invalid field): shown as the server words them. A
 * refused URL is shown in the admin's language by its `details.reason`
 * (errors.reasons.WEBHOOK_ENDPOINT_URL_REFUSED); a reason the web app does not
 * know yet falls back to the server's words.
 */
export const WEBHOOK_FORM_SERVER_CODES = ['VALIDATION_FAILED', 'WEBHOOK_ENDPOINT_URL_REFUSED', 'WEBHOOK_UNKNOWN_EVENT_TYPE'] as const;

export type EndpointProblem = 'urlRequired' | 'urlFormat' | 'urlLength' | 'eventTypesRequired' | 'descriptionLength';

export function emptyEndpointForm(): EndpointForm {
  return { url: '', description: '', allEvents: false, eventTypes: [] };
}

/** An endpoint as the edit form shows it. */
export function endpointToForm(endpoint: WebhookEndpoint): EndpointForm {
  const allEvents = endpoint.eventTypes.includes(ALL_WEBHOOK_EVENTS);
  return {
    url: endpoint.url,
    description: endpoint.description,
    allEvents,
    eventTypes: allEvents ? [] : endpoint.eventTypes.filter((ty): ty is WebhookEventType => ty !== ALL_WEBHOOK_EVENTS),
  };
}

/** Whether an endpoint gets every event type. */
export function getsAllEvents(endpoint: Pick<WebhookEndpoint, 'eventTypes'>): boolean {
  return endpoint.eventTypes.includes(ALL_WEBHOOK_EVENTS);
}

/** The translation key of an event type ("order.paid" → "order_paid": a dot would nest the message key). */
export function eventTypeKey(type: WebhookEventType): string {
  return type.replace(/\./g, '_');
}

/** The event types as sent: ['*'] for all of them, else the ones ticked, in the API's order. */
export function chosenEventTypes(form: EndpointForm): WebhookEventTypeChoice[] {
  if (form.allEvents) return [ALL_WEBHOOK_EVENTS];
  return WEBHOOK_EVENT_TYPES.filter((ty) => form.eventTypes.includes(ty));
}

/** An absolute http(s) URL. Whether it may be used (https in production, no private address) is the API's call. */
function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

export interface CheckedEndpoint {
  url: string;
  description: string;
  eventTypes: WebhookEventTypeChoice[];
}

/** Checks the form as the API will (the URL's address rules aside): the problems in field order, or the values to send, trimmed. */
export function validateEndpoint(form: EndpointForm): { problems: EndpointProblem[]; values: null } | { problems: []; values: CheckedEndpoint } {
  const problems: EndpointProblem[] = [];
  const url = form.url.trim();
  if (url === '') problems.push('urlRequired');
  else if (url.length > WEBHOOK_URL_MAX_LENGTH) problems.push('urlLength');
  else if (!isHttpUrl(url)) problems.push('urlFormat');
  const eventTypes = chosenEventTypes(form);
  if (eventTypes.length === 0) problems.push('eventTypesRequired');
  const description = form.description.trim();
  if (description.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) problems.push('descriptionLength');
  if (problems.length > 0) return { problems, values: null };
  return { problems: [], values: { url, description, eventTypes } };
}

/** The new endpoint's request: a blank description is left out. */
export function createRequest(values: CheckedEndpoint): CreateWebhookEndpointRequest {
  const request: CreateWebhookEndpointRequest = { url: values.url, eventTypes: values.eventTypes };
  if (values.description !== '') request.description = values.description;
  return request;
}

/** An edit's request: only the fields that changed (empty: nothing to send). */
export function updateRequest(endpoint: WebhookEndpoint, values: CheckedEndpoint): UpdateWebhookEndpointRequest {
  const request: UpdateWebhookEndpointRequest = {};
  if (values.url !== endpoint.url) request.url = values.url;
  if (values.description !== endpoint.description) request.description = values.description;
  const before = [...endpoint.eventTypes].sort().join(',');
  if (values.eventTypes.slice().sort().join(',') !== before) request.eventTypes = values.eventTypes;
  return request;
}

/**
 * The endpoint form as one step: checked first (its problems, no request),
 * then the checked values handed to `send`; busy while it runs, its failure
 * kept in `error`. `submit` answers whether it went through.
 */
function useEndpointForm(initial: EndpointForm, send: (values: CheckedEndpoint) => Promise<void>) {
  const form = reactive<EndpointForm>(initial);
  const problems = ref<EndpointProblem[]>([]);
  const error = ref<unknown>(null);
  const busy = ref(false);

  async function submit(): Promise<boolean> {
    if (busy.value) return false;
    const checked = validateEndpoint(form);
    problems.value = checked.problems;
    error.value = null;
    if (checked.values === null) return false;
    busy.value = true;
    try {
      await send(checked.values);
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { form, problems, error, busy, submit };
}

/** The endpoint without its secret: what a list row may hold. */
function withoutSecret(created: CreatedWebhookEndpoint): WebhookEndpoint {
  const endpoint: Partial<CreatedWebhookEndpoint> = { ...created };
  delete endpoint.secret;
  return endpoint as WebhookEndpoint;
}

/** A secret the API answered once (a new endpoint's, or a rotated one), shown until dismissed. */
export interface ShownSecret {
  /** Tells two secrets of one endpoint apart (created, then rotated). */
  key: number;
  reason: 'created' | 'rotated';
  endpointId: string;
  url: string;
  secret: string;
}

const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404;

/**
 * The webhooks page: the endpoints (newest first, never paged: there are few),
 * the new-endpoint form, each secret the API answered (kept until the admin
 * dismisses it: it is never shown again), enable / disable, and rotating the
 * secret and deleting, each with a confirm step. A 404 (another admin deleted
 * the endpoint meanwhile) loads the list again; the error stays where it was asked.
 */
export function useWebhookEndpoints() {
  const endpoints = shallowRef<WebhookEndpoint[]>([]);
  const { loading, error: loadError, run } = useLatestLoad();

  function load(): Promise<void> {
    return run(listWebhookEndpoints, (answer) => {
      endpoints.value = answer;
    });
  }

  function replace(endpoint: WebhookEndpoint): void {
    endpoints.value = endpoints.value.map((e) => (e.id === endpoint.id ? endpoint : e));
  }

  /** One endpoint again (its counts change as deliveries go out); a 404 loads the whole list. */
  async function refresh(id: string): Promise<void> {
    try {
      replace(await getWebhookEndpoint(id));
    } catch (err) {
      if (isNotFound(err)) await load();
    }
  }

  /** Newest first; each stays until dismissed. */
  const secrets = shallowRef<ShownSecret[]>([]);
  let secretSeq = 0;
  function showSecret(created: CreatedWebhookEndpoint, reason: ShownSecret['reason']): void {
    secrets.value = [{ key: ++secretSeq, reason, endpointId: created.id, url: created.url, secret: created.secret }, ...secrets.value];
  }
  function dismiss(key: number): void {
    secrets.value = secrets.value.filter((s) => s.key !== key);
  }

  const newEndpoint = useEndpointForm(emptyEndpointForm(), async (values) => {
    const created = await createWebhookEndpoint(createRequest(values));
    showSecret(created, 'created');
    Object.assign(newEndpoint.form, emptyEndpointForm());
    await load();
  });

  /** The endpoint being switched on or off, and what went wrong last time. */
  const toggling = ref<string | null>(null);
  const toggleError = ref<unknown>(null);

  async function setEnabled(endpoint: WebhookEndpoint, enabled: boolean): Promise<boolean> {
    if (toggling.value !== null) return false;
    toggling.value = endpoint.id;
    toggleError.value = null;
    try {
      replace(await updateWebhookEndpoint(endpoint.id, { enabled }));
      return true;
    } catch (err) {
      toggleError.value = err;
      if (isNotFound(err)) void load();
      return false;
    } finally {
      toggling.value = null;
    }
  }

  const rotate = useConfirmAction<WebhookEndpoint>(async (endpoint) => {
    let rotated: CreatedWebhookEndpoint;
    try {
      rotated = await rotateWebhookSecret(endpoint.id);
    } catch (err) {
      if (isNotFound(err)) void load();
      throw err;
    }
    showSecret(rotated, 'rotated');
    replace(withoutSecret(rotated));
  });

  const remove = useConfirmAction<WebhookEndpoint>(async (endpoint) => {
    try {
      await deleteWebhookEndpoint(endpoint.id);
    } catch (err) {
      if (isNotFound(err)) void load();
      throw err;
    }
    endpoints.value = endpoints.value.filter((e) => e.id !== endpoint.id);
    // A deleted endpoint's secret signs nothing any more.
    secrets.value = secrets.value.filter((s) => s.endpointId !== endpoint.id);
  });

  return {
    endpoints,
    loading,
    loadError,
    load,
    replace,
    refresh,
    secrets,
    dismiss,
    form: newEndpoint.form,
    problems: newEndpoint.problems,
    formError: newEndpoint.error,
    submitting: newEndpoint.busy,
    submit: newEndpoint.submit,
    toggling,
    toggleError,
    setEnabled,
    rotate,
    remove,
  };
}

/**
 * Editing one endpoint: its URL, event types and description. Only what
 * changed is sent; nothing changed closes without a request. `onSaved` gets
 * the endpoint as the API answered it.
 */
export function useWebhookEndpointEdit(endpoint: () => WebhookEndpoint, onSaved: (endpoint: WebhookEndpoint | null) => void) {
  const edit = useEndpointForm(endpointToForm(endpoint()), async (values) => {
    const request = updateRequest(endpoint(), values);
    onSaved(Object.keys(request).length === 0 ? null : await updateWebhookEndpoint(endpoint().id, request));
  });
  return { form: edit.form, problems: edit.problems, error: edit.error, saving: edit.busy, save: edit.submit };
}

/** Which deliveries the list shows: every one, or those of one status. */
export type DeliveryFilter = 'all' | WebhookDeliveryStatus;
export const DELIVERY_FILTERS: readonly DeliveryFilter[] = ['all', ...WEBHOOK_DELIVERY_STATUSES];
/** Every event type, or one. */
export type DeliveryTypeFilter = 'all' | WebhookEventType;
export const DELIVERY_TYPE_FILTERS: readonly DeliveryTypeFilter[] = ['all', ...WEBHOOK_EVENT_TYPES];

/** The deliveries' filter bar as chosen and typed; the user id is typed as text (blank: any user). */
export interface DeliveryFilters {
  status: DeliveryFilter;
  eventType: DeliveryTypeFilter;
  userId: string;
}

export function emptyDeliveryFilters(): DeliveryFilters {
  return { status: 'all', eventType: 'all', userId: '' };
}

/** The filter bar → the list's query ("all" and a blank user id left out). Paging is added by the list. */
export function deliveryFiltersToQuery(f: DeliveryFilters): WebhookDeliveryQuery {
  const userId = f.userId.trim();
  return {
    status: f.status === 'all' ? undefined : f.status,
    eventType: f.eventType === 'all' ? undefined : f.eventType,
    userId: userId === '' ? undefined : userId,
  };
}

/** The same filters (what is sent, not how it was typed). */
function sameQuery(a: WebhookDeliveryQuery, b: WebhookDeliveryQuery): boolean {
  return a.status === b.status && a.eventType === b.eventType && a.userId === b.userId;
}

export interface DeliveriesHooks {
  /** A delivery was resent: it is pending again, so the endpoint's counts changed. */
  onResent?: (delivery: WebhookDelivery) => void;
  /** A resend was refused because the endpoint is disabled: what the page shows of it is out of date. */
  onEndpointStale?: () => void;
}

/** A resend refused because the endpoint is disabled (another admin may have just switched it off). */
export const ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED';

/**
 * One endpoint's deliveries, newest first, one page at a time, narrowed by
 * status, event type and user. `apply()` loads the list the filter bar
 * describes: from page 1 when the filters changed, else the same page again;
 * a user id that is not a number is not sent. "Resend" sends one again now
 * (it is pending again), then the page is loaded again and `onResent` is told
 * (the endpoint's counts changed).
 */
export function useWebhookDeliveries(endpointId: () => string, hooks: DeliveriesHooks = {}, pageSize = 20) {
  const filters = reactive<DeliveryFilters>(emptyDeliveryFilters());
  const userIdInvalid = computed(() => filters.userId.trim() !== '' && !isUserId(filters.userId));
  /** The filters of the list shown. */
  const applied = shallowRef<WebhookDeliveryQuery>({});
  const list = usePagedList((page, size) => listWebhookDeliveries(endpointId(), { ...applied.value, page, pageSize: size }), pageSize);

  function apply(): Promise<void> {
    if (userIdInvalid.value) return Promise.resolve();
    const next = deliveryFiltersToQuery(filters);
    if (sameQuery(next, applied.value)) return list.load();
    applied.value = next;
    return list.load(1);
  }

  /** Only the status is narrowed (or nothing): the empty list can say which status it has none of. */
  const statusOnly = computed(() => applied.value.eventType === undefined && applied.value.userId === undefined);

  /** The delivery being resent; the last one resent (for a notice), and the last failure. */
  const resending = ref<string | null>(null);
  const resent = shallowRef<WebhookDelivery | null>(null);
  const resendError = ref<unknown>(null);

  async function resend(delivery: WebhookDelivery): Promise<boolean> {
    if (resending.value !== null) return false;
    resending.value = delivery.id;
    resent.value = null;
    resendError.value = null;
    try {
      const answer = await resendWebhookDelivery(endpointId(), delivery.id);
      resent.value = answer;
      hooks.onResent?.(answer);
      await list.load();
      return true;
    } catch (err) {
      resendError.value = err;
      if (isNotFound(err)) void list.load();
      if (err instanceof ApiError && err.code === ENDPOINT_DISABLED) hooks.onEndpointStale?.();
      return false;
    } finally {
      resending.value = null;
    }
  }

  return { ...list, filters, userIdInvalid, applied, statusOnly, apply, resending, resent, resendError, resend };
}
