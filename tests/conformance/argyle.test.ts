/** The Argyle adapter against the Argyle mock, through the shared provider conformance suite. */
import { describeProviderConformance } from '@reconnect-kit/contract-tests';
import { argyleConformance } from './argyle.conformance.js';

describeProviderConformance(argyleConformance);
