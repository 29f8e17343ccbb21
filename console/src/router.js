import { createRouter, createWebHistory } from 'vue-router';
import { restoreSession, session } from './api';
import LoginView from './views/LoginView.vue';

/** Client routes under /console/. */
export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/', redirect: '/warnings' },
    { path: '/login', component: LoginView, meta: { public: true } },
    { path: '/warnings', component: () => import('./views/WarningsView.vue') },
    { path: '/warnings/:id', component: () => import('./views/WarningDetailView.vue') },
    { path: '/issue', component: () => import('./views/IssueView.vue') },
    { path: '/drafts/:id', component: () => import('./views/DraftView.vue') },
    { path: '/approvals', component: () => import('./views/ApprovalsView.vue') },
    { path: '/calls', component: () => import('./views/CallsView.vue') },
    { path: '/incoming', component: () => import('./views/IncomingView.vue') },
    { path: '/roster', component: () => import('./views/RosterView.vue') },
    { path: '/reports', component: () => import('./views/ReportsView.vue') },
    { path: '/warnings/:id/review', component: () => import('./views/ReviewPrintView.vue'), meta: { wall: true } },
    { path: '/board', component: () => import('./views/BoardView.vue'), meta: { board: true } },
    { path: '/board/wall', component: () => import('./views/BoardView.vue'), meta: { board: true, wall: true } },
    { path: '/:rest(.*)*', redirect: '/warnings' },
  ],
});

// Asked once, as the script starts; the login screen does not wait for the answer, other screens do.
let restoring = null;

router.beforeEach(async (to) => {
  if (!session.checked) {
    restoring ??= restoreSession();
    if (to.meta.public) {
      return true;
    }
    await restoring;
  }
  if (!to.meta.public && !session.user) {
    return { path: '/login', query: { next: to.fullPath } };
  }
  return true;
});

window.addEventListener('jy-signed-out', () => {
  if (router.currentRoute.value.path !== '/login') {
    void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath } });
  }
});
