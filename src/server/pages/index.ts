import { borderPage } from './border.js';
import { changesPage } from './changes.js';
import { countriesPage } from './countries.js';
import { countryPage } from './country.js';
import { deathsPage } from './deaths.js';
import { detentionPage } from './detention.js';
import { eventsPage } from './events.js';
import { facilitiesPage } from './facilities.js';
import { g287Page } from './g287.js';
import { facilityPage } from './facility.js';
import { methodologyPage } from './methodology.js';
import { overviewPage } from './overview.js';
import { reconciliationPage } from './reconciliation.js';
import { releasePage, releasesPage } from './releases.js';
import { thirdCountryPage } from './third-country.js';
import type { PageRoute } from './types.js';

/** Every page of the site. */
export const PAGES: PageRoute[] = [overviewPage, detentionPage, borderPage, countriesPage, countryPage, thirdCountryPage, reconciliationPage, eventsPage, deathsPage, g287Page, facilitiesPage, facilityPage, releasesPage, releasePage, changesPage, methodologyPage];
