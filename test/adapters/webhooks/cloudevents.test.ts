import {
  buildCloudEventsPayload,
  CLOUDEVENT_TYPES,
  FALLBACK_SOURCE,
  toCloudEvent,
} from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import { toWebhookEvent } from '../../../src/adapters/webhooks/json/json-payload';
import type { NoticeType } from '../../../src/core/notice/notice';
import { GATEWAY_ID, sampleNotice } from './support/notices';
import { schemaErrors, validateCloudEvent, validateEventV1 } from './support/validators';

describe('cloudevents format', () => {
  const notice = sampleNotice();
  const payload = buildCloudEventsPayload(notice);
  const event = JSON.parse(payload.body) as Record<string, unknown>;

  it('is a CloudEvents 1.0 event in structured JSON mode', () => {
    expect(payload.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(schemaErrors(validateCloudEvent, event)).toEqual([]);
    expect(event).toEqual({
      specversion: '1.0',
      id: notice.id,
      source: GATEWAY_ID,
      type: 'com.appgw-insights.backend.degraded',
      subject: 'pool-api/settings-https/10.0.1.4',
      time: '2026-03-01T10:15:00.000Z',
      datacontenttype: 'application/json',
      data: JSON.parse(JSON.stringify(toWebhookEvent(notice))),
    });
  });

  it('carries the json format event as data', () => {
    expect(schemaErrors(validateEventV1, event['data'])).toEqual([]);
  });

  it.each<[NoticeType, string]>([
    ['degraded', 'com.appgw-insights.backend.degraded'],
    ['still-degraded', 'com.appgw-insights.backend.still-degraded'],
    ['recovered', 'com.appgw-insights.backend.recovered'],
  ])('type for %s is %s', (type, expected) => {
    expect(CLOUDEVENT_TYPES[type]).toBe(expected);
    expect(toCloudEvent(sampleNotice({ type })).type).toBe(expected);
  });

  it('the schema rejects invalid events (it can fail)', () => {
    const { id: _id, ...withoutId } = event;
    expect(schemaErrors(validateCloudEvent, withoutId)).not.toEqual([]);
    expect(schemaErrors(validateCloudEvent, { ...event, specversion: '0.3' })).not.toEqual([]);
    expect(schemaErrors(validateCloudEvent, { ...event, data_base64: 'AAAA' })).not.toEqual([]);
    expect(schemaErrors(validateCloudEvent, { ...event, time: 'yesterday' })).not.toEqual([]);
    expect(schemaErrors(validateCloudEvent, { ...event, subject: '' })).not.toEqual([]);
    expect(schemaErrors(validateCloudEvent, { ...event, 'Bad-Name': 'x' })).not.toEqual([]);
  });

  it('falls back to a documented source when the gateway id is not a URI-reference', () => {
    const odd = toCloudEvent(sampleNotice({ gateway: { ...notice.gateway, id: 'not a path <>' } }));
    expect(odd.source).toBe(FALLBACK_SOURCE);
    expect(schemaErrors(validateCloudEvent, JSON.parse(JSON.stringify(odd)))).toEqual([]);
  });

  it('leaves time out rather than send a non-RFC 3339 one', () => {
    const odd = toCloudEvent(sampleNotice({ occurredAt: 'sometime' }));
    expect(odd).not.toHaveProperty('time');
    expect(schemaErrors(validateCloudEvent, JSON.parse(JSON.stringify(odd)))).toEqual([]);
  });
});
