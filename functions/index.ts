/**
 * The Functions app's entry: every registration, one file each. The deployed bundle is built from this
 * file (see package.json "main"); the worker loads it once per instance.
 */
import './validate-settings';
import './discover-gateways';
import './evaluate-gateway';
import './record-poisoned-gateway';
import './gateway-insight';
import './recheck-gateway';
import './azure-monitor-alert';
