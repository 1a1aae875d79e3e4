import { serveParseRequests } from '@trail-insight/trail-files';

serveParseRequests();
