/** The Finch adapter against the Finch mock, through the shared provider conformance suite. */
import { describeProviderConformance } from '@reconnect-kit/contract-tests';
import { finchConformance } from './finch.conformance.js';

describeProviderConformance(finchConformance);
