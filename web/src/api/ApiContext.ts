import { createContext, useContext } from 'react';
import { api as defaultApi, type Api } from './client';

/** The API client pages use; tests provide one with a fake `fetch`. */
export const ApiContext = createContext<Api>(defaultApi);

export function useApi(): Api {
  return useContext(ApiContext);
}
