// Real builds on 2 cores: a test may take minutes, never hours.
jest.setTimeout(20 * 60 * 1000);
